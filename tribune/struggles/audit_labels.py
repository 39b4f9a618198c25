"""Plain labels for the audit actions this app records (shown beside the action's name)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "struggle.started": _("Started a struggle"),
    "struggle.updated": _("Posted news on a struggle (and perhaps changed its status)"),
    "pledge.created": _("Opened a pledge to act"),
    "pledge.triggered": _("A pledge reached its number: the action is on"),
    "pledge.failed": _("A pledge did not reach its number by the deadline"),
    "pledge.withdrawn_after_trigger": _("A pledge was withdrawn after the number was reached"),
    "event.created": _("Planned an event"),
    "event.changed": _("Changed an event"),
    "event.cancelled": _("Cancelled an event"),
    "event.reminded": _("Reminded those signed up to an event"),
    "event.attendance": _("Recorded attendance at an event"),
    "solidarity.asked": _("Asked for solidarity"),
    "solidarity.answered": _("Committed solidarity in answer to a request"),
    "solidarity.closed": _("Closed a solidarity request"),
}
