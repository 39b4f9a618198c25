"""The agenda, motions and amendments, and a motion's consolidated text.

Tabling is the members' part of an assembly, before and apart from its votes.
"""

import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import ngettext

from tribune.assemblies import textmerge
from tribune.assemblies.models import (
    AgendaItem,
    Amendment,
    Assembly,
    Motion,
    MotionVersion,
    Programme,
)
from tribune.assemblies.services.common import _event
from tribune.assemblies.services.convening import chair_term, unit_members
from tribune.audit.log import record
from tribune.constitution import services as constitution_services
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.lib.inputs import clean_text
from tribune.members.models import Member


@transaction.atomic
def add_agenda_item(
    actor: Member, assembly: Assembly, *, title: str, minutes: int = 30, report: str = ""
) -> AgendaItem:
    chair_term(actor, assembly)
    position = assembly.agenda.count() + 1
    item = AgendaItem.objects.create(
        assembly=assembly, position=position, title=title, minutes=minutes, report=report
    )
    _event(assembly, "agenda")
    return item


@transaction.atomic
def set_current_item(actor: Member, item: AgendaItem) -> AgendaItem:
    chair_term(actor, item.assembly)
    item.assembly.agenda.filter(status=AgendaItem.Status.CURRENT).update(
        status=AgendaItem.Status.DONE
    )
    item.status = AgendaItem.Status.CURRENT
    item.save(update_fields=["status"])
    _event(item.assembly, "current_item", item=item.pk, title=item.title)
    return item


def _before_deadline(assembly: Assembly) -> None:
    if timezone.now() > assembly.motions_deadline:
        raise RuleViolation(_t("The deadline for motions and amendments has passed."))


def _in_unit(member: Member, assembly: Assembly) -> None:
    if not unit_members(assembly).filter(pk=member.pk).exists():
        raise NotPermitted(_t("Only members of this assembly's unit may table motions."))


@transaction.atomic
def table_motion(
    member: Member,
    assembly: Assembly,
    *,
    title: str,
    text: str,
    agenda_item: AgendaItem | None = None,
    branch=None,
    faction=None,
    programme_section: str = "",
    amends_constitution: bool = False,
    constitution_change: dict | None = None,
) -> Motion:
    """Table a motion; ``constitution_change`` is what an amending motion changes in the
    constitution's rules or structure, adopted if the motion is carried."""
    _in_unit(member, assembly)  # who may table first: a refusal on the merits says more
    _before_deadline(assembly)
    if constitution_change is not None:
        if assembly.branch.parent_id is not None:
            raise RuleViolation(
                _t("Only an assembly of the whole organisation can amend its constitution."),
                "constitution_change",
            )
        try:
            constitution_services.check_amendment(assembly.organisation, constitution_change)
        except RuleViolation as exc:
            raise RuleViolation(exc.message, "constitution_change") from None
        amends_constitution = True
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise RuleViolation(_t("A motion needs a title and a text."), "text")
    if branch is not None:
        if not assembly.branches_may_table:
            raise RuleViolation(_t("The standing orders do not let branches table motions."))
        if member.home_branch_id not in branch.subtree_ids():
            raise NotPermitted(_t("Only a member of that branch can table its motion."))
    if faction is not None:
        from tribune.factions.rules import faction_term

        if not assembly.factions_may_table:
            raise RuleViolation(_t("The standing orders do not let factions table motions."))
        faction_term(member, faction)
    if programme_section:
        programme = Programme.objects.filter(organisation=assembly.organisation).first()
        current = programme.current() if programme else None
        if current is None or not current.sections.filter(key=programme_section).exists():
            raise RuleViolation(_t("No such section in the programme."), "programme_section")
    motion = Motion.objects.create(
        assembly=assembly,
        agenda_item=agenda_item,
        title=title,
        tabled_by=member,
        on_behalf_of_branch=branch,
        on_behalf_of_faction=faction,
        programme_section=programme_section,
        amends_constitution=bool(amends_constitution),
        constitution_change=constitution_change,
    )
    MotionVersion.objects.create(motion=motion, number=1, text=text + "\n", note=_t("As tabled"))
    record(assembly.organisation, "motion.tabled", actor=member, target=motion)
    _event(assembly, "motion", motion=motion.pk)
    return motion


def _lines(motion: Motion) -> int:
    return len(motion.versions.get(number=1).text.splitlines())


@transaction.atomic
def table_amendment(
    member: Member, motion: Motion, *, start: int, end: int, new_text: str, reason: str = ""
) -> Amendment:
    """Amend lines start..end of the motion as tabled (start = end + 1 inserts after end)."""
    assembly = motion.assembly
    _in_unit(member, assembly)  # who may table first: a refusal on the merits says more
    _before_deadline(assembly)
    if motion.status != Motion.Status.TABLED:
        raise RuleViolation(_t("This motion is no longer open to amendment."))
    label = f"A{motion.amendments.count() + 1}"
    change = textmerge.LineChange.replace(label, start, end, new_text or "")
    try:
        change.check(_lines(motion))
    except ValueError:
        raise RuleViolation(
            _t("Lines %(start)s–%(end)s are not in this motion of %(n)s lines.")
            % {"start": start, "end": end, "n": _lines(motion)},
            "start",
        ) from None
    amendment = Amendment.objects.create(
        motion=motion,
        label=label,
        tabled_by=member,
        start=start,
        end=end,
        new_text=new_text or "",
        reason=reason,
    )
    record(assembly.organisation, "amendment.tabled", actor=member, target=amendment)
    _event(assembly, "amendment", motion=motion.pk, amendment=amendment.pk)
    return amendment


@transaction.atomic
def amend_passage(
    member: Member, motion: Motion, *, passage: str, replacement: str, reason: str = ""
) -> Amendment:
    """Amend the motion as tabled by quoting a passage of it and typing its replacement.

    The passage becomes the lines it touches (``textmerge.passage_change``) and the
    amendment is tabled as a line range like any other; a passage found nowhere, or
    in more than one place, is refused on the ``passage`` field.
    """
    _in_unit(member, motion.assembly)  # who may table first, as table_amendment does
    clean_text(replacement, field="replacement")  # refused here, named as the member typed it
    tabled = motion.versions.get(number=1).text
    try:
        change = textmerge.passage_change("", tabled, passage, replacement)
    except textmerge.PassageError as error:
        if not passage.split():
            message = _t("Quote the passage of the motion to replace.")
        elif error.count == 0:
            message = _t(
                "This passage is not in the motion as tabled: quote it exactly as it is written."
            )
        else:
            message = ngettext(
                "This passage occurs %(n)s time in the motion: select a longer passage, "
                "so that it occurs only once.",
                "This passage occurs %(n)s times in the motion: select a longer passage, "
                "so that it occurs only once.",
                error.count,
            ) % {"n": error.count}
        raise RuleViolation(message, "passage") from None
    old = "\n".join(tabled.splitlines()[change.start - 1 : change.end])
    if "\n".join(change.new_lines).split() == unicodedata.normalize("NFC", old).split():
        raise RuleViolation(_t("The replacement is the same as the passage."), "replacement")
    return table_amendment(
        member,
        motion,
        start=change.start,
        end=change.end,
        new_text="\n".join(change.new_lines),
        reason=reason,
    )


def _change(amendment: Amendment) -> textmerge.LineChange:
    return textmerge.LineChange.replace(
        amendment.label, amendment.start, amendment.end, amendment.new_text
    )


def conflicting_amendments(motion: Motion) -> list[tuple[str, str]]:
    """Pairs of tabled or adopted amendments touching the same lines (flagged to the chair)."""
    live = motion.amendments.filter(status__in=[Amendment.Status.TABLED, Amendment.Status.ADOPTED])
    return textmerge.conflicts([_change(a) for a in live])


def consolidated_text(motion: Motion) -> str:
    original = motion.versions.get(number=1).text
    adopted = motion.amendments.filter(status=Amendment.Status.ADOPTED).order_by("pk")
    return textmerge.consolidate(original, [_change(a) for a in adopted])
