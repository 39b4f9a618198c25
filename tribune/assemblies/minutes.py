"""The minutes of an assembly, written from the record: nothing in them is typed by hand.

What organisers expect of minutes, and what a member checking a decision
needs: the dates, the chair, each sitting with its attendance and quorum at the
start and the end, who spoke on each item, the text of every motion and
amendment put to the vote, and each vote's result with the majority it needed
and the quorum it had to reach ("not quorate" when it did not). Markdown, so
the same text is the page, the download and the API's answer.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.assemblies import services, sessions
from tribune.assemblies.models import AgendaItem, Assembly, LiveVote, Motion, SpeakerRequest


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d %b %Y %H:%M") if moment else ""


def _quote(text: str) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in text.rstrip("\n").splitlines()] + [""]


def _chairs(assembly: Assembly) -> str:
    if not assembly.chair_office_id:
        return ""
    terms = assembly.chair_office.terms.select_related("member").order_by("starts_at")
    return ", ".join(dict.fromkeys(t.member.name for t in terms))


def _attendance(counts: dict) -> str:
    if not counts:
        return ""
    text = _t(
        "%(present)s of %(entitled)s votes present (%(in_person)s in person, %(by_proxy)s by "
        "proxy); quorum %(quorum)s (%(percent)s%%): %(verdict)s"
    ) % {
        "present": counts.get("present", 0),
        "entitled": counts.get("entitled", 0),
        "in_person": counts.get("in_person", 0),
        "by_proxy": counts.get("by_proxy", 0),
        "quorum": counts.get("quorum", 0),
        "percent": counts.get("quorum_percent", ""),
        "verdict": _t("quorate") if counts.get("quorate") else _t("not quorate"),
    }
    return text


def _sessions(assembly: Assembly, names: bool) -> list[str]:
    lines = [f"## {_t('Sessions and attendance')}", ""]
    sittings = list(assembly.sessions.select_related("opened_by", "ended_by"))
    if not sittings:
        return lines + [_t("The assembly did not sit."), ""]
    for s in sittings:
        ended = (
            _t("%(how)s %(when)s") % {"how": s.ended_how, "when": _when(s.ended_at)}
            if s.ended_at
            else _t("still sitting")
        )
        lines += [
            f"### {_t('Session')} {s.number}: {_when(s.opened_at)} – {ended}",
            "",
            f"- {_t('Opened by')} {s.opened_by.name}"
            + (f"; {_t('ended by')} {s.ended_by.name}" if s.ended_by_id else ""),
            f"- {_t('Attendance at the opening')}: {_attendance(s.attendance_at_open)}",
        ]
        if s.attendance_at_end:
            lines.append(f"- {_t('Attendance at the end')}: {_attendance(s.attendance_at_end)}")
        roll = s.attendance_at_end or s.attendance_at_open
        if names and roll.get("present_names"):
            lines.append(f"- {_t('Present')}: {', '.join(roll['present_names'])}")
        if names and roll.get("proxies"):
            given = "; ".join(
                _t("%(giver)s (held by %(holder)s)") % {"giver": g, "holder": h}
                for g, h in roll["proxies"]
            )
            lines.append(f"- {_t('Represented by proxy')}: {given}")
        if roll.get("absent"):
            lines.append(f"- {_t('Absent')}: {roll['absent']}")
        lines.append("")
    return lines


def _vote_line(vote: LiveVote) -> str:
    election = vote.election
    counts = services.vote_counts(election)
    rule = sessions.rule_text(election.motion_rule)
    where = f"{_t('session')} {vote.session.number}, " if vote.session_id else ""
    quorum = ""
    if vote.quorum is not None:
        quorum = _t("; quorum %(quorum)s of %(entitled)s (%(present)s present at the opening)") % {
            "quorum": vote.quorum,
            "entitled": vote.entitled,
            "present": vote.present,
        }
    return (
        f"- {_t('Vote on')} {election.title} ({where}{_when(vote.opened_at)}): "
        f"{_t('yes')} {counts['yes']}, {_t('no')} {counts['no']}, "
        f"{_t('abstain')} {counts['abstain']} — **{sessions.outcome_label(vote).lower()}** "
        f"({_t('majority')}: {rule}{quorum})"
    )


def _speakers(item: AgendaItem, names: bool) -> list[str]:
    spoken = (
        item.speakers.filter(
            status__in=[SpeakerRequest.Status.DONE, SpeakerRequest.Status.SPEAKING]
        )
        .select_related("participant__member")
        .order_by("started_at", "pk")
    )
    said = [
        r.participant.member.name + (f" ({_t('point of order')})" if r.point_of_order else "")
        for r in spoken
    ]
    if not said:
        return []
    return [f"{_t('Speakers')}: {', '.join(said) if names else len(said)}", ""]


def _motion(motion: Motion, names: bool) -> list[str]:
    kind = ""
    if motion.amends_constitution:
        kind = f" ({_t('amends the constitution')})"
    elif motion.programme_section:
        kind = f" ({_t('rewrites the programme section')} “{motion.programme_section}”)"
    lines = [
        f"### {_t('Motion')}: {motion.title} — {motion.get_status_display()}",
        "",
        (f"{_t('Tabled by')} {motion.tabled_by.name}" if names else _t("Tabled"))
        + f"{kind}. {_t('Text as tabled')}:",
        "",
        *_quote(motion.versions.get(number=1).text),
    ]
    for amendment in motion.amendments.select_related("tabled_by"):
        lines += [
            f"- **{amendment.label}** ({_t('lines')} {amendment.start}–{amendment.end}"
            + (f", {amendment.tabled_by.name}" if names else "")
            + f"): {amendment.get_status_display()}",
            "",
            *_quote(amendment.new_text or _t("(delete these lines)")),
        ]
    votes = LiveVote.objects.filter(Q(motion=motion) | Q(amendment__motion=motion))
    for vote in votes.select_related("election", "session").order_by("opened_at", "pk"):
        lines.append(_vote_line(vote))
    current = motion.current()
    if motion.status == Motion.Status.ADOPTED and current and current.number > 1:
        lines += ["", f"{_t('Text as adopted')}:", "", *_quote(current.text)]
    lines.append("")
    return lines


def write(assembly: Assembly, *, names: bool = True) -> str:
    """The minutes in Markdown; without ``names`` (readers who are not members, see
    ``assemblies.rules.shows_names``) attendance, speakers and movers are counted, not named.
    The chair is named either way: chairing is an office."""
    lines = [
        f"# {assembly.title}",
        "",
        f"{assembly.get_kind_display()} · {assembly.branch.name} · "
        f"{_when(assembly.starts_at)} – {_when(assembly.ends_at)}",
        "",
        f"{_t('Chair')}: {_chairs(assembly) or '—'}",
        "",
        _t("Minutes generated by Tribune from the record of the assembly."),
        "",
        *_sessions(assembly, names),
    ]
    sections = [
        (item, list(item.motions.select_related("tabled_by"))) for item in assembly.agenda.all()
    ]
    loose = list(assembly.motions.filter(agenda_item__isnull=True).select_related("tabled_by"))
    if loose:
        sections.append((None, loose))
    for item, motions in sections:
        heading = f"{item.position}. {item.title}" if item else _t("Other motions")
        lines += [f"## {heading}", ""]
        if item is not None:
            if item.report:
                lines += [item.report, ""]
            lines += _speakers(item, names)
        ranking = services.ranking_of(item) if item is not None else None
        for attempt in item.ranking_votes.select_related("election", "session") if item else []:
            if attempt.quorate is False:
                lines += [
                    f"- {_t('Ranking vote on the competing motions')}: **{_t('Not quorate')}** "
                    f"({attempt.election.turnout or 0} {_t('ballots')}; "
                    f"{_t('quorum')} {attempt.quorum})",
                    "",
                ]
        if ranking is not None:
            titles = dict(ranking.election.options)
            order = ", ".join(
                f"{n}. {titles.get(pk, '?')}" for n, pk in enumerate(ranking.order, start=1)
            )
            lines += [
                f"- {_t('Ranking vote on the competing motions')} "
                f"({_t('Schulze')}, {ranking.election.turnout or 0} {_t('ballots')}): {order}",
                "",
            ]
            motions = services.in_ranked_order(motions, ranking.order)
        for motion in motions:
            lines += _motion(motion, names)
    return "\n".join(lines)
