"""The powers an office's mandate may grant.

This registry is the whole list: software power that is not here cannot be
granted to anyone. There is deliberately no power to dissolve a faction, to
bar a member from standing, or to edit the audit log.
"""

from django.utils.translation import gettext_lazy as _

POWERS: dict[str, str] = {
    "admit_members": _("Admit or refuse membership applications"),
    "suspend_members": _("Suspend and reinstate members (with a reason; appealable)"),
    "manage_standing": _("Record lapsed memberships and renewals"),
    "view_member_contacts": _("See members' email, phone and address"),
    "import_members": _("Import membership lists from spreadsheets"),
    "manage_branches": _("Create and rename branches"),
    "call_elections": _("Call elections and votes"),
    "convene_assemblies": _("Convene congresses and assemblies, and name their chair"),
    "moderate_debate": _("Hide posts that break a published rule of debate (with a reason)"),
    "curate_archive": _("Publish or refuse documents proposed for the archive (with a reason)"),
    "run_struggles": _(
        "Run struggles and campaigns: updates, events, pledges and solidarity requests"
    ),
    "represent_in_networks": _(
        "Represent the organisation in networks and coalitions: carry out its decisions to "
        "join, leave, ratify or withdraw, and act in them for it"
    ),
}

# Powers over members' personal data: their holders must use two-factor login.
PERSONAL_DATA_POWERS = frozenset({"view_member_contacts", "import_members"})

# What a faction's own officers may do, for their faction only. Nothing here
# reaches the organisation or any other faction.
FACTION_POWERS: dict[str, str] = {
    "publish_platform": _("Publish new versions of the faction's platform"),
    "publish_statements": _("Publish statements in the faction's name"),
    "endorse_candidates": _("Endorse candidates in elections"),
    "see_private_members": _("See the faction's members who joined privately"),
}
