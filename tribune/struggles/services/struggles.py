"""Struggles and campaigns: starting one, its timeline of updates, its status."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib.errors import RuleViolation
from tribune.struggles import rules
from tribune.struggles.models import ENDED, Struggle, StruggleStatus, StruggleUpdate, Visibility
from tribune.struggles.services.common import branch_of, text


def programme_sections(organisation) -> dict[str, str]:
    """The current programme's sections, key → title (empty when there is no programme)."""
    from tribune.assemblies.models import Programme

    programme = Programme.objects.filter(organisation=organisation).first()
    version = programme.current() if programme else None
    if version is None:
        return {}
    return {s.key: s.title for s in version.sections.all()}


def _keys(organisation, keys) -> list[str]:
    keys = list(dict.fromkeys(keys or []))
    known = programme_sections(organisation)
    for key in keys:
        if not isinstance(key, str) or key not in known:
            raise RuleViolation(_t("No section of the programme has this key."), "programme")
    return keys


def _choice(value, choices, field):
    if value not in choices.values:
        raise RuleViolation(_t("Choose one of the listed options."), field)
    return value


@transaction.atomic
def start_struggle(
    member,
    organisation,
    *,
    title: str,
    summary: str = "",
    branch: str | None = None,
    status: str = StruggleStatus.PREPARING,
    visibility: str = Visibility.PUBLIC,
    programme: list[str] | None = None,
) -> Struggle:
    owner = branch_of(organisation, branch)
    term = rules.mandate(member, owner, organisation)
    struggle = Struggle.objects.create(
        organisation=organisation,
        branch=owner,
        title=text(title, field="title", max_length=200),
        summary=text(summary, field="summary", max_length=20000, required=False, one_line=False),
        status=_choice(status, StruggleStatus, "status"),
        visibility=_choice(visibility, Visibility, "visibility"),
        programme_keys=_keys(organisation, programme),
        created_by=member,
    )
    record(
        organisation,
        "struggle.started",
        actor=member,
        term=term,
        target=struggle,
        data={"title": struggle.title, "branch": owner.slug if owner else ""},
    )
    return struggle


@transaction.atomic
def post_update(
    member,
    struggle: Struggle,
    *,
    text_: str,
    visibility: str = Visibility.PUBLIC,
    status: str = "",
    lessons_link: str = "",
) -> StruggleUpdate:
    """Add to the struggle's timeline; a new status goes with the update that explains it."""
    struggle = Struggle.objects.select_for_update().get(pk=struggle.pk)
    term = rules.mandate(member, struggle, struggle.organisation)
    body = text(text_, field="text", max_length=20000, one_line=False)
    visibility = _choice(visibility, Visibility, "visibility")
    if struggle.visibility == Visibility.MEMBERS:
        visibility = Visibility.MEMBERS  # nothing of a members-only struggle is public
    if status:
        _choice(status, StruggleStatus, "status")
        if status == struggle.status:
            status = ""
    if lessons_link:
        lessons_link = text(lessons_link, field="lessons_link", max_length=500)
        if not lessons_link.startswith(("https://", "http://", "/")):
            raise RuleViolation(_t("Give a web address."), "lessons_link")
    update = StruggleUpdate.objects.create(
        struggle=struggle,
        text=body,
        visibility=visibility,
        status_to=status,
        author=member,
        term=term,
    )
    fields = []
    if status:
        struggle.status = status
        struggle.ended_at = timezone.now() if status in ENDED else None
        fields += ["status", "ended_at"]
    if lessons_link:
        struggle.lessons_link = lessons_link
        fields.append("lessons_link")
    if fields:
        struggle.save(update_fields=fields)
    record(
        struggle.organisation,
        "struggle.updated",
        actor=member,
        term=term,
        target=struggle,
        data={"status": status, "visibility": visibility},
    )
    return update


def visible_struggles(viewer, organisation):
    qs = Struggle.objects.filter(organisation=organisation).select_related("branch", "organisation")
    if not rules.is_member(viewer, organisation):
        qs = qs.filter(visibility=Visibility.PUBLIC)
    return qs


def visible_updates(viewer, struggle: Struggle):
    qs = struggle.updates.select_related("author", "term__office")
    if not rules.is_member(viewer, struggle.organisation):
        qs = qs.filter(visibility=Visibility.PUBLIC)
    return qs
