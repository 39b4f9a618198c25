"""Facts the struggles app announces to the apps above it (they listen; it imports none)."""

from django.dispatch import Signal

# A pledge's live count changed (a pledge made or withdrawn), inside that transaction.
# kwargs: pledge. tribune.networks listens: a coalition pledge's chapter reports its count.
pledge_counted = Signal()

# An event was moved, changed or cancelled, inside that transaction. kwargs: event.
# tribune.education listens: a circle's completions count its sessions not cancelled.
event_changed = Signal()
