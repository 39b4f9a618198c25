"""The records as the API shows them, names hidden where ``assemblies.rules`` says."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from tribune.assemblies import rules, services, sessions, textmerge
from tribune.assemblies.api.schemas import StandingOrders
from tribune.assemblies.models import (
    AgendaItem,
    Amendment,
    Assembly,
    LiveVote,
    Motion,
    Participant,
    Programme,
    ProgrammeVersion,
    SpeakerRequest,
)
from tribune.elections.models import Status as ElectionStatus
from tribune.members.models import Member


def _item_out(item: AgendaItem) -> dict:
    return {
        "id": item.pk,
        "position": item.position,
        "title": item.title,
        "minutes": item.minutes,
        "report": item.report,
        "status": item.status,
    }


def _summary(assembly: Assembly) -> dict:
    return {
        "id": assembly.pk,
        "title": assembly.title,
        "kind": assembly.kind,
        "status": assembly.status,
        "branch": assembly.branch.slug,
        "starts_at": assembly.starts_at,
        "ends_at": assembly.ends_at,
        "motions_deadline": assembly.motions_deadline,
    }


def _assembly_out(assembly: Assembly) -> dict:
    agenda = list(assembly.agenda.all())
    current = next((i for i in agenda if i.status == AgendaItem.Status.CURRENT), None)
    chair = None
    if assembly.chair_office_id:
        from tribune.offices.models import Term

        term = (
            Term.objects.current()
            .filter(office_id=assembly.chair_office_id)
            .select_related("member")
            .first()
        )
        chair = term.member.name if term else None
    delegations = []
    if assembly.kind == Assembly.Kind.DELEGATES:
        delegations = [
            {"branch": b.slug, "name": b.name, "members": members, "seats": seats}
            for b, (members, seats) in services.delegations(assembly).items()
        ]
    open_vote = services.open_vote_of(assembly)
    return {
        **_summary(assembly),
        "chair_office_id": assembly.chair_office_id,
        "chair": chair,
        "standing_orders": {f: getattr(assembly, f) for f in StandingOrders.model_fields},
        "agenda": [_item_out(i) for i in agenda],
        "current_item": _item_out(current) if current else None,
        "participants": assembly.participants.count(),
        "delegations": delegations,
        "open_vote_id": open_vote.pk if open_vote else None,
        "events_url": reverse(
            "web:assembly_events", args=[assembly.organisation.slug, assembly.pk]
        ),
        "session": session_out(assembly),
    }


def _counts(snapshot: dict | None) -> dict | None:
    """An attendance snapshot as figures: who was present is for members (the participants
    list and the minutes say it to them), not for every reader of the assembly."""
    if snapshot is None:
        return None
    return {k: v for k, v in snapshot.items() if k not in ("present_names", "proxies")}


def _sitting_out(sitting) -> dict:
    return {
        "number": sitting.number,
        "opened_at": sitting.opened_at,
        "opened_by": sitting.opened_by.name,
        "ended_at": sitting.ended_at,
        "ended_how": sitting.ended_how,
        "attendance_at_open": _counts(sitting.attendance_at_open),
        "attendance_at_end": _counts(sitting.attendance_at_end),
    }


def session_out(assembly: Assembly) -> dict:
    sittings = list(assembly.sessions.select_related("opened_by"))
    current = sessions.current_session(assembly)
    return {
        "state": assembly.status,
        "current": _sitting_out(current) if current else None,
        "attendance": sessions.attendance(assembly).as_dict(),
        "sittings": [_sitting_out(s) for s in sittings],
    }


def _participant_out(p: Participant, proxies: dict[int, int]) -> dict:
    holder = proxies.get(p.pk)
    return {
        "id": p.pk,
        "member_id": p.member_id,
        "name": p.member.name,
        "delegation": p.delegation.slug if p.delegation else None,
        "weight": p.weight,
        "group": p.group,
        "voting": p.voting,
        "substitute_for": p.substitute_for_id,
        "proxy_holder": holder,
        "presence": "proxy" if holder else "present" if p.present else "absent",
    }


def _motion_summary(motion: Motion, names: bool = True) -> dict:
    """``names``: whether the reader may see members' names (``assemblies.rules``)."""
    return {
        "id": motion.pk,
        "title": motion.title,
        "status": motion.status,
        "agenda_item_id": motion.agenda_item_id,
        "tabled_by": motion.tabled_by.name if names else None,
        "on_behalf_of_branch": motion.on_behalf_of_branch.slug
        if motion.on_behalf_of_branch
        else None,
        "on_behalf_of_faction": (
            motion.on_behalf_of_faction.slug if motion.on_behalf_of_faction else None
        ),
        "programme_section": motion.programme_section,
        "amends_constitution": motion.amends_constitution,
        "constitution_change": motion.constitution_change,
        "tabled_at": motion.tabled_at,
    }


def _amendment_out(
    amendment: Amendment, flagged: set[str], tabled: str, names: bool = True
) -> dict:
    return {
        "id": amendment.pk,
        "label": amendment.label,
        "tabled_by": amendment.tabled_by.name if names else None,
        "start": amendment.start,
        "end": amendment.end,
        "replaces": textmerge.replaced_lines(tabled, amendment.start, amendment.end),
        "new_text": amendment.new_text,
        "reason": amendment.reason,
        "status": amendment.status,
        "conflict": amendment.label in flagged,
    }


def _motion_out(motion: Motion, names: bool = True) -> dict:
    versions = list(motion.versions.all())
    out_versions = []
    for i, version in enumerate(versions):
        before = versions[i - 1] if i else None
        out_versions.append(
            {
                "number": version.number,
                "text": version.text,
                "note": version.note,
                "created_at": version.created_at,
                "diff": textmerge.diff(
                    before.text, version.text, f"v{before.number}", f"v{version.number}"
                )
                if before
                else "",
            }
        )
    try:
        consolidated, clash = services.consolidated_text(motion), ""
    except textmerge.AmendmentConflict as conflict:
        consolidated, clash = None, str(conflict)
    conflicts = services.conflicting_amendments(motion)
    flagged = {label for pair in conflicts for label in pair}
    amendments = motion.amendments.select_related("tabled_by")
    return {
        **_motion_summary(motion, names),
        "versions": out_versions,
        "consolidated_text": consolidated,
        "consolidation_clash": clash,
        "amendments": [
            _amendment_out(a, flagged, versions[0].text if versions else "", names)
            for a in amendments
        ],
        "conflicts": [list(pair) for pair in conflicts],
    }


def _speaker_out(request: SpeakerRequest, names: bool = True) -> dict:
    return {
        "id": request.pk,
        "participant_id": request.participant_id,
        "name": request.participant.member.name if names else None,
        "group": request.participant.group,
        "point_of_order": request.point_of_order,
        "status": request.status,
        "requested_at": request.requested_at,
        "started_at": request.started_at,
    }


def _speakers_out(item: AgendaItem, names: bool = True) -> dict:
    speaking = (
        item.speakers.filter(status=SpeakerRequest.Status.SPEAKING)
        .select_related("participant__member")
        .first()
    )
    return {
        "speaking": _speaker_out(speaking, names) if speaking else None,
        "waiting": [_speaker_out(r, names) for r in services.speakers_list(item)],
        "speaking_seconds": item.assembly.speaking_minutes * 60,
    }


def _vote_out(vote: LiveVote, viewer: Member | None) -> dict:
    """The vote, its counts and result for all; who voted how only as ``rules.named_record``."""
    from tribune.elections.models import VoterRoll

    election = vote.election
    counted = election.status in (ElectionStatus.COUNTED, ElectionStatus.CERTIFIED) and bool(
        election.result
    )
    result = None
    rule = election.motion_rule or {}
    if counted and not vote.is_ranking:
        result = {
            **services.vote_counts(election),
            "carried": bool(election.passed),
            "quorate": vote.quorate is not False,
            "outcome": sessions.outcome(vote),
            "threshold": rule.get("threshold", "1/2"),
        }
    named = None
    record = rules.named_record(viewer, vote)
    if record is not None:
        named = [
            {
                "participant_id": n.participant_id,
                "name": n.participant.member.name,
                "choice": n.choice,
                "ballots": n.ballots,
                "ranking": n.ranking,
            }
            for n in record
        ]
    return {
        "id": vote.pk,
        "election_id": election.pk,
        "kind": "ranking" if vote.is_ranking else "amendment" if vote.amendment_id else "motion",
        "subject": election.title,
        "motion_id": vote.motion_id,
        "amendment_id": vote.amendment_id,
        "agenda_item_id": vote.item_id,
        "options": [{"id": pk, "title": title} for pk, title in election.options]
        if vote.is_ranking
        else None,
        "ranking": services.ranking_result(vote) if vote.is_ranking and counted else None,
        "status": election.status,
        "secret": vote.assembly.secret_votes,
        "opened_at": vote.opened_at,
        "electorate": election.electorate_size,
        "majority": rule.get("name") if not vote.is_ranking else None,
        "majority_code": sessions.rule_code(rule) if not vote.is_ranking else None,
        "majority_label": sessions.rule_text(rule) if not vote.is_ranking else None,
        "quorum": vote.quorum,
        "present": vote.present,
        "session": vote.session.number if vote.session_id else None,
        "outcome": sessions.outcome(vote),
        "cast": VoterRoll.objects.filter(election=election, voted=True).count(),
        "result": result,
        "named": named,
    }


def _programme_summary(version: ProgrammeVersion) -> dict:
    return {
        "number": version.number,
        "adopted_at": version.adopted_at,
        "note": version.note,
        "motion_id": version.motion_id,
        "vote_id": version.vote_id,
        "assembly_id": version.motion.assembly_id if version.motion_id else None,
    }


def _programme_out(version: ProgrammeVersion) -> dict:
    return {
        **_programme_summary(version),
        "sections": [
            {"key": s.key, "title": s.title, "text": s.text} for s in version.sections.all()
        ],
    }


def _programme_versions(slug: str) -> dict[int, ProgrammeVersion]:
    programme = get_object_or_404(Programme, organisation__slug=slug)
    versions = programme.versions.select_related("motion").prefetch_related("sections")
    return {v.number: v for v in versions}


def _as_text(version: ProgrammeVersion) -> str:
    return "".join(f"## {s.title}\n\n{s.text}\n" for s in version.sections.all())
