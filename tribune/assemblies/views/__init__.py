"""Assembly, projector, minutes and programme pages.

Views parse the request and call ``tribune.assemblies.services``; who may do
what, and when, is decided there. A refusal the member can correct is shown
on the form that caused it (or as a message for a plain button); a missing
power goes on to the 403 page with its reason. Every form posts and redirects
back, so the hall works without JavaScript; with it, ``assembly-live.js``
follows the assembly's event stream and refreshes the live panel in place.

The views live in one module a subject, as ``tribune.assemblies.services``
does; this package names them all, so ``tribune.web.urls`` writes
``assemblies.cast``. No module is named after a view (``records`` holds
``minutes`` and ``programme``), so each name here is the view, never a module.
To replace a name in a test, patch the module that uses it
(``views.hall.VoterRoll``), not this package.
"""

from tribune.assemblies.views.chair import add_item, chair_action, open_vote, substitute, transfer
from tribune.assemblies.views.convening import assemblies, convene
from tribune.assemblies.views.hall import live_panel, projector
from tribune.assemblies.views.motions import table_amendment, table_motion
from tribune.assemblies.views.page import assembly
from tribune.assemblies.views.participants import attendance, cast, participant_search, proxy, speak
from tribune.assemblies.views.records import minutes, minutes_markdown, programme, programme_diff

__all__ = [
    "add_item",
    "assemblies",
    "assembly",
    "attendance",
    "cast",
    "chair_action",
    "convene",
    "live_panel",
    "minutes",
    "minutes_markdown",
    "open_vote",
    "participant_search",
    "programme",
    "programme_diff",
    "projector",
    "proxy",
    "speak",
    "substitute",
    "table_amendment",
    "table_motion",
    "transfer",
]
