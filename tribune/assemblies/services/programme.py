"""The programme: founded once, then versioned by carried motions."""

from django.db import transaction
from django.utils.translation import gettext as _t

from tribune.assemblies.models import Motion, Programme, ProgrammeSection, ProgrammeVersion
from tribune.audit.log import record
from tribune.elections.models import Election
from tribune.lib.errors import RuleViolation


@transaction.atomic
def found_programme(organisation, sections: list[tuple[str, str, str]]) -> ProgrammeVersion:
    """Version 1 of the programme: (key, title, text) per section."""
    programme, _ = Programme.objects.get_or_create(organisation=organisation)
    if programme.versions.exists():
        raise RuleViolation(_t("The programme exists; only adopted motions change it."))
    version = ProgrammeVersion.objects.create(programme=programme, number=1, note=_t("Founding"))
    for position, (key, title, text) in enumerate(sections, start=1):
        ProgrammeSection.objects.create(
            version=version, key=key, position=position, title=title, text=text.strip() + "\n"
        )
    record(organisation, "programme.founded", target=version)
    return version


def amend_programme(motion: Motion, vote: Election) -> ProgrammeVersion:
    """The next programme version: the motion's section replaced by its adopted text."""
    programme = motion.assembly.organisation.programme
    current = programme.current()
    version = ProgrammeVersion.objects.create(
        programme=programme,
        number=current.number + 1,
        motion=motion,
        vote=vote,
        note=_t("Motion “%(title)s” adopted") % {"title": motion.title},
    )
    for section in current.sections.all():
        text = motion.current().text if section.key == motion.programme_section else section.text
        ProgrammeSection.objects.create(
            version=version,
            key=section.key,
            position=section.position,
            title=section.title,
            text=text,
        )
    record(
        motion.assembly.organisation,
        "programme.amended",
        target=version,
        data={"motion": motion.pk, "vote": vote.pk},
    )
    return version
