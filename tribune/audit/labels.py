"""Plain words for every action in the audit log.

The log keeps the action's name (``election.called``): it is part of the hashed
entry and what scripts filter on. People read the label. A name recorded
anywhere in the code without a label here fails ``tests/test_labels.py``.
"""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, str] = {
    # organisation, branches, bodies, offices, terms
    "organisation.founded": _("Organisation founded"),
    "founding.invited": _("Co-founder invited"),
    "founding.accepted": _("Co-founder accepted the invitation"),
    "member.founding": _("Founding member enrolled"),
    "branch.created": _("Branch created"),
    "body.created": _("Body created"),
    "body.abolished": _("Body abolished by the constitution"),
    "office.created": _("Office created"),
    "office.abolished": _("Office abolished by the constitution"),
    "term.began": _("Term of office began"),
    "term.ended": _("Term of office ended"),
    "term.recalled": _("Office-holder recalled by the membership"),
    "constitution.adopted": _("Constitution adopted"),
    "assembly.congress_elections": _("Elections the congress holds called by its chair"),
    "constitution.not_adopted": _(
        "Constitutional change carried but not made (it broke a guarantee)"
    ),
    # membership
    "member.applied": _("Membership application received"),
    "member.reapplied": _("Membership application made again"),
    "member.admitted": _("Member admitted"),
    "member.refused": _("Membership application refused"),
    "member.suspended": _("Member suspended"),
    "member.reinstated": _("Member reinstated"),
    "member.lapsed": _("Membership recorded as lapsed"),
    "member.renewed": _("Membership renewed"),
    "member.restored": _("Standing restored on appeal"),
    "member.resigned": _("Member resigned"),
    "member.profile_updated": _("Member updated their details"),
    "member.erased": _("Member's personal data erased"),
    "appeal.lodged": _("Appeal lodged"),
    "appeal.decided": _("Appeal decided"),
    "import.checked": _("Membership list checked for import"),
    "import.confirmed": _("Membership list import confirmed"),
    "import.chunk": _("Part of a membership list imported"),
    # elections
    "election.called": _("Election or vote called"),
    "election.nominations": _("Nominations opened"),
    "election.nominations_closed": _("Nominations closed"),
    "election.voting": _("Voting opened"),
    "election.voting_closed": _("Voting closed"),
    "election.counted": _("Votes counted"),
    "election.certified": _("Result certified"),
    "election.cancelled": _("Election cancelled"),
    "candidacy.nominated": _("Candidate nominated"),
    "candidacy.accepted": _("Nomination accepted"),
    "candidacy.withdrawn": _("Candidacy withdrawn"),
    "candidacy.seconded": _("Nomination seconded"),
    "recall.opened": _("Recall petition opened"),
    "recall.signed": _("Recall petition signed"),
    "recall.unsigned": _("Signature withdrawn from a recall petition"),
    "recall.threshold_reached": _("Recall petition reached its threshold: recall vote opened"),
    "recall.lapsed": _("Recall petition lapsed"),
    "recall.replied": _("Office-holder replied to a recall petition"),
    "report.published": _("Mandate report published"),
    "report.commented": _("Comment on a mandate report"),
    # factions
    "faction.proposed": _("Faction proposed"),
    "faction.signed": _("Faction's founding statement signed"),
    "faction.registered": _("Faction registered"),
    "faction.joined": _("Member joined a faction"),
    "faction.left": _("Member left a faction"),
    "faction.platform": _("Faction platform published"),
    "faction.statement": _("Faction statement published"),
    "faction.endorsed": _("Faction endorsed a candidate"),
    "faction.below_threshold": _("Faction fell below the membership threshold"),
    "faction.recovered": _("Faction back above the membership threshold"),
    "faction.dissolution_proposed": _("Faction's dissolution put to its members"),
    "faction.dissolved": _("Faction dissolved"),
    # debate
    "debate.thread": _("Debate thread opened"),
    "debate.hidden": _("Post hidden by a moderator"),
    "debate.restored": _("Hidden post restored"),
    "debate.appealed": _("Moderation appealed"),
    "debate.appeal_decided": _("Moderation appeal decided"),
    # assemblies and the programme
    "assembly.convened": _("Assembly convened"),
    "assembly.session_opened": _("Assembly session opened"),
    "assembly.session_resumed": _("Assembly session resumed"),
    "assembly.session_suspended": _("Assembly session suspended"),
    "assembly.attendance": _("Attendance recorded"),
    "assembly.vote_opened": _("Vote opened in the hall"),
    "assembly.vote_closed": _("Vote in the hall closed"),
    "assembly.ranking_opened": _("Ranking of competing motions opened"),
    "assembly.ranking_closed": _("Ranking of competing motions closed"),
    "assembly.closed": _("Assembly closed"),
    "motion.tabled": _("Motion tabled"),
    "motion.fallen": _("Motion fell"),
    "amendment.tabled": _("Amendment tabled"),
    "programme.founded": _("Programme founded"),
    "programme.amended": _("Programme amended"),
    # --- the archive
    "archive.proposed": _("Document proposed for the archive"),
    "archive.version_proposed": _("New version of a document proposed"),
    "archive.published": _("Document version published (curating the archive)"),
    "archive.refused": _("Document version refused, with a reason (curating the archive)"),
    "archive.appealed": _("Refusal of a document version appealed"),
    "archive.appeal_decided": _("Appeal about a document version decided"),
    "archive.tagged": _("Document tags changed"),
    "archive.linked": _("Document linked to a motion, section, thread or election"),
    # --- education
    "education.course_created": _("Course written (planning courses)"),
    "education.circle_opened": _("Study circle opened by a facilitator"),
    "education.facilitator_joined": _("Facilitator joined a study circle"),
    "education.attendance": _("Attendance recorded at a study circle session"),
    "education.session_moved": _("Study circle session moved"),
    "education.session_cancelled": _("Study circle session cancelled"),
    # --- struggles, pledges, events, solidarity
    "struggle.started": _("Started a struggle"),
    "struggle.updated": _("Posted news on a struggle (and perhaps changed its status)"),
    "pledge.created": _("Opened a pledge to act"),
    "pledge.triggered": _("A pledge reached its number: the action is on"),
    "pledge.failed": _("A pledge did not reach its number by the deadline"),
    "pledge.withdrawn_after_trigger": _("A pledge was withdrawn after the number was reached"),
    "pledge.decided": _("The go of a pledge that reached its number was given or refused"),
    "event.created": _("Planned an event"),
    "event.changed": _("Changed an event"),
    "event.cancelled": _("Cancelled an event"),
    "event.reminded": _("Reminded those signed up to an event"),
    "event.attendance": _("Recorded attendance at an event"),
    "task.created": _("Set a task or a shift"),
    "task.done": _("Marked a task or a shift done"),
    "solidarity.asked": _("Asked for solidarity"),
    "solidarity.answered": _("Committed solidarity in answer to a request"),
    "solidarity.closed": _("Closed a solidarity request"),
    # --- networks, coalitions, acting in concert (tribune.networks)
    "network.founded": _("Founded a network, by the organisation's decision"),
    "network.invited": _("Invited an organisation or network into a network"),
    "network.joined": _("Joined a network, by the organisation's decision"),
    "network.left": _("Left a network, by the organisation's decision"),
    "network.endorsed": _("Endorsed a network's joining or leaving another, by decision"),
    "network.act_refused": _(
        "An act sent to the server where a network or coalition is decided was refused there"
    ),
    "coalition.founded": _("Proposed a coalition on named demands"),
    "coalition.invited": _("Invited an organisation into a coalition"),
    "coalition.ratifying": _("Put a coalition to the organisation's decision"),
    "coalition.ratified": _("Ratified a coalition, by the organisation's decision"),
    "coalition.declined": _("Declined a coalition, by the organisation's decision"),
    "coalition.withdrawn": _("Withdrew from a coalition, by the organisation's decision"),
    "coalition.renewed": _("Renewed a coalition: every member ratifies afresh"),
    "concert.opened": _("Opened a pledge of a coalition or network"),
    "concert.triggered": _("A coalition or network pledge reached its number: the action is on"),
    "concert.shared": _("Shared a struggle, event or request with a coalition or network"),
    "concert.document_shared": _("Shared an archive document with a coalition or network"),
    "concert.unshared": _(
        "Stopped sharing a struggle, event or request with a coalition or network"
    ),
    "concert.document_unshared": _("Took an archive document off a coalition's or network's list"),
}


def action_label(action: str) -> str:
    """The action in plain words; an unknown name (a newer server's) as readable words."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
    return action.replace(".", ": ").replace("_", " ").capitalize()
