"""Facts the struggles app announces to the apps above it (they listen; it imports none)."""

from django.dispatch import Signal

# A pledge's live count changed (a pledge made or withdrawn), inside that transaction.
# kwargs: pledge. tribune.networks listens: a coalition pledge's chapter reports its count.
pledge_counted = Signal()

# An event was moved, changed or cancelled, inside that transaction. kwargs: event.
# tribune.education listens: a circle's completions count its sessions not cancelled.
event_changed = Signal()

# An event is about to move to new times, inside that transaction, before anything is
# saved. kwargs: event (locked, still at its old times), starts_at, ends_at. A receiver
# refuses the move by raising RuleViolation (with its field), which reaches whoever asked
# (the struggles pages and API, or the app that scheduled the event): the rule of an app
# above is kept on every path without this app importing it. tribune.education listens: a
# circle's session keeps its place in the course's order.
event_moving = Signal()
