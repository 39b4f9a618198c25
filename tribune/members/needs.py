"""What needs a person now, across every organisation they belong to: their home page.

For a member in good standing: the votes open to them that they have not cast,
the elections whose nominations are open in their electorate, the recall
petitions they may sign, the assemblies they are called to, the reports on
their mandate that are due. For an officer, besides: the decisions their
mandates are waiting for (applications to admit, appeals to decide, results
to certify). Each item has its deadline, where there is one, and one link.

The same rules as the actions decide who sees what (electorates, a body's
reach, the returning office), read from rows loaded once for all the person's
memberships: the number of queries does not grow with the organisations, the
open votes or the branches (``tests/test_needs.py`` counts them).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _t

from tribune.members.models import Appeal, AppealStatus, Member, Standing

# A report on one's mandate is due this long after the term began or the last report.
REPORT_INTERVAL = timedelta(days=90)
# ...and shown on the home this long before it falls due.
REPORT_NOTICE = timedelta(days=30)


@dataclass(frozen=True)
class Need:
    organisation: object  # Organisation
    kind: str  # a key for the API: vote, nomination, recall, assembly, report, applications...
    label: str  # what to do, in plain words
    title: str  # on what
    url: str
    deadline: datetime | None = None
    officer: bool = False  # a decision a mandate waits for (not the member's own)
    starts: bool = False  # the date is when it begins (an assembly), not a deadline

    @property
    def overdue(self) -> bool:
        return not self.starts and self.deadline is not None and self.deadline < timezone.now()


def _ancestors(branch_id, parents: dict) -> set:
    chain = set()
    while branch_id is not None and branch_id not in chain:
        chain.add(branch_id)
        branch_id = parents.get(branch_id)
    return chain


def _subtree(branch_id, children: dict) -> set:
    found, stack = set(), [branch_id]
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(children.get(node, ()))
    return found


def needs_of(user, now=None) -> list[Need]:
    """Everything that needs ``user`` now, soonest deadline first (then the rest)."""
    from tribune.assemblies.models import Assembly, Participant
    from tribune.elections.models import (
        Candidacy,
        Election,
        Kind,
        PetitionStatus,
        RecallPetition,
        RecallSignature,
        Status,
        VoterRoll,
    )
    from tribune.factions.models import FactionMembership
    from tribune.offices.models import Term
    from tribune.organisations.models import Branch

    if user is None or not user.is_authenticated:
        return []
    now = now or timezone.now()
    members = list(
        Member.objects.filter(user=user, standing=Standing.GOOD).select_related("organisation")
    )
    if not members:
        return []
    by_org = {m.organisation_id: m for m in members}
    member_ids = [m.pk for m in members]
    parents = dict(Branch.objects.filter(organisation_id__in=by_org).values_list("id", "parent_id"))
    children: dict = {}
    for branch_id, parent_id in parents.items():
        children.setdefault(parent_id, []).append(branch_id)
    above = {m.pk: _ancestors(m.home_branch_id, parents) for m in members}
    factions = set(
        FactionMembership.objects.filter(member_id__in=member_ids).values_list(
            "faction_id", flat=True
        )
    )

    def electorate_has(member, branch_id, faction_id) -> bool:
        if faction_id is not None:
            return faction_id in factions
        return branch_id in above[member.pk]

    needs: list[Need] = []

    # Votes open to them (their name is on the roll) that they have not cast.
    for roll in VoterRoll.objects.filter(
        member_id__in=member_ids, voted=False, election__status=Status.VOTING
    ).select_related("election"):
        election = roll.election
        member = next(m for m in members if m.pk == roll.member_id)
        if election.kind == Kind.ASSEMBLY:
            continue  # cast in the hall: the assembly is listed below
        needs.append(
            Need(
                member.organisation,
                "vote",
                _t("Vote"),
                election.title,
                reverse("web:election", args=[member.organisation.slug, election.pk]),
                election.voting_close_at,
            )
        )

    # Nominations open in their electorate, where they are not yet a candidate.
    standing_in = set(
        Candidacy.objects.filter(
            member_id__in=member_ids, election__status=Status.NOMINATIONS
        ).values_list("election_id", flat=True)
    )
    for election in Election.objects.filter(
        organisation_id__in=by_org, status=Status.NOMINATIONS, kind=Kind.OFFICE
    ).exclude(pk__in=standing_in):
        member = by_org[election.organisation_id]
        if electorate_has(member, election.electorate_id, election.faction_id):
            needs.append(
                Need(
                    member.organisation,
                    "nomination",
                    _t("Nominations are open: stand, or nominate someone"),
                    election.title,
                    reverse("web:election", args=[member.organisation.slug, election.pk]),
                    election.nominations_close_at,
                )
            )

    # Recall petitions they may sign (and have not), or must answer.
    signed = set(
        RecallSignature.objects.filter(
            member_id__in=member_ids, petition__status=PetitionStatus.OPEN
        ).values_list("petition_id", flat=True)
    )
    for petition in RecallPetition.objects.filter(
        status=PetitionStatus.OPEN, term__office__body__organisation_id__in=by_org
    ).select_related("term__office__body", "term__member"):
        body = petition.term.office.body
        member = by_org[body.organisation_id]
        url = reverse("web:recall", args=[member.organisation.slug, petition.pk])
        what = _t("%(name)s as %(office)s") % {
            "name": petition.term.member.name,
            "office": petition.term.office.title,
        }
        if petition.term.member_id == member.pk:
            if not petition.holder_reply:
                needs.append(
                    Need(
                        member.organisation,
                        "recall_reply",
                        _t("A recall petition is open against you: reply to it"),
                        what,
                        url,
                        petition.term.ends_at,
                    )
                )
        elif petition.pk not in signed and electorate_has(member, body.branch_id, body.faction_id):
            needs.append(
                Need(
                    member.organisation,
                    "recall",
                    _t("Recall petition you may sign"),
                    what,
                    url,
                    petition.term.ends_at,  # a petition lapses when the term ends
                )
            )

    # Assemblies they are called to, not yet over.
    for participant in Participant.objects.filter(
        member_id__in=member_ids,
        assembly__ends_at__gt=now,
        assembly__status__in=[
            Assembly.Status.PLANNED,
            Assembly.Status.IN_SESSION,
            Assembly.Status.SUSPENDED,
        ],
    ).select_related("assembly"):
        assembly = participant.assembly
        member = next(m for m in members if m.pk == participant.member_id)
        sitting = assembly.status == Assembly.Status.IN_SESSION
        needs.append(
            Need(
                member.organisation,
                "assembly",
                _t("In session now: take part") if sitting else _t("You are called to"),
                assembly.title,
                reverse("web:assembly", args=[member.organisation.slug, assembly.pk]),
                None if sitting else assembly.starts_at,
                starts=not sitting,
            )
        )

    # Their current terms: reports due, and the decisions their mandates wait for.
    terms = list(
        Term.objects.current(now)
        .filter(member_id__in=member_ids)
        .select_related("office__body")
        .annotate(last_report=Max("reports__published_at"))
    )
    for term in terms:
        member = next(m for m in members if m.pk == term.member_id)
        due = (term.last_report or term.starts_at) + REPORT_INTERVAL
        if due - REPORT_NOTICE <= now:
            needs.append(
                Need(
                    member.organisation,
                    "report",
                    _t("Report on your mandate"),
                    term.office.title,
                    reverse("web:office", args=[member.organisation.slug, term.office_id]),
                    min(due, term.ends_at),
                )
            )

    # Applications waiting in the branches their mandates reach.
    admitting: dict[int, set] = {}
    for term in terms:
        if "admit_members" in term.office.powers and term.office.body.faction_id is None:
            admitting.setdefault(term.office.body.organisation_id, set()).update(
                _subtree(term.office.body.branch_id, children)
            )
    if admitting:
        reach = set().union(*admitting.values())
        # The organisation too, so that the members' indexes that lead with it find
        # the few applicants (by branch alone: every member of 500 branches read).
        waiting = (
            Member.objects.filter(
                organisation_id__in=admitting,
                standing=Standing.APPLICANT,
                home_branch_id__in=reach,
            )
            .values("organisation_id")
            .annotate(n=Count("id"), oldest=Min("applied_at"))
        )
        for row in waiting:
            member = by_org[row["organisation_id"]]
            needs.append(
                Need(
                    member.organisation,
                    "applications",
                    _t("Membership applications to decide: %(n)s") % {"n": row["n"]},
                    _t("waiting since %(date)s")
                    % {
                        "date": date_format(
                            timezone.localtime(row["oldest"], member.organisation.zone), "j M Y"
                        )
                    },
                    reverse("web:applications", args=[member.organisation.slug]),
                    officer=True,
                )
            )

    # Appeals before a body they sit on.
    bodies = {t.office.body_id for t in terms}
    if bodies:
        pending = (
            Appeal.objects.filter(body_id__in=bodies, status=AppealStatus.PENDING)
            .values("body__organisation_id")
            .annotate(n=Count("id"))
        )
        for row in pending:
            member = by_org[row["body__organisation_id"]]
            needs.append(
                Need(
                    member.organisation,
                    "appeals",
                    _t("Appeals to decide: %(n)s") % {"n": row["n"]},
                    _t("against decisions on membership"),
                    reverse("web:appeals", args=[member.organisation.slug]),
                    officer=True,
                )
            )

    # Appeals against moderation, for whoever sits on their organisation's appeal body.
    if bodies:
        from tribune.constitution.models import ConstitutionVersion
        from tribune.debate.models import ModerationAppeal

        appeal_body = {}
        for org_id, body_id in (
            ConstitutionVersion.objects.filter(organisation_id__in=by_org)
            .order_by("organisation_id", "-number")
            .values_list("organisation_id", "appeal_body_id")
        ):
            appeal_body.setdefault(org_id, body_id)
        judging = [org for org, body in appeal_body.items() if body in bodies]
        if judging:
            pending = (
                ModerationAppeal.objects.filter(
                    status=ModerationAppeal.Status.PENDING,
                    action__post__thread__organisation_id__in=judging,
                )
                .values("action__post__thread__organisation_id")
                .annotate(n=Count("id"))
            )
            for row in pending:
                member = by_org[row["action__post__thread__organisation_id"]]
                needs.append(
                    Need(
                        member.organisation,
                        "debate_appeals",
                        _t("Appeals against moderation to decide: %(n)s") % {"n": row["n"]},
                        _t("posts hidden in debate"),
                        reverse("web:debate_appeals", args=[member.organisation.slug]),
                        officer=True,
                    )
                )

    # Results counted and waiting for their certification as returning officer.
    offices = {t.office_id for t in terms}
    if offices:
        for election in Election.objects.filter(
            returning_office_id__in=offices, status=Status.COUNTED
        ):
            member = by_org[election.organisation_id]
            needs.append(
                Need(
                    member.organisation,
                    "certify",
                    _t("Certify the result"),
                    election.title,
                    reverse("web:election", args=[member.organisation.slug, election.pk]),
                    officer=True,
                )
            )

    far = datetime.max.replace(tzinfo=timezone.get_current_timezone())
    needs.sort(key=lambda n: (n.officer, n.deadline or far, n.organisation.name, n.title))
    return needs
