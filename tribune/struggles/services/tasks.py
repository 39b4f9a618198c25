"""Tasks and shifts: what needs doing, by at least ``min_people`` and at most ``max_people``.

A task belongs to a struggle, an event, or directly to the organisation or a
branch (the owner abstraction, as for events). Organisers whose mandate
reaches the owner create them; members in good standing sign up (refused when
full or done) and withdraw before it is done; someone signed up, or an
organiser, marks it done. Sign-ups are counted on the task's row under its
lock, so two people cannot take the last place at once. Who signed up is shown
only to the organisers and to each person for themselves; signing up is not
logged (it names a member), creating and marking done by an organiser are.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.struggles import rules
from tribune.struggles.models import Event, Struggle, Task, TaskSignup, Visibility
from tribune.struggles.services.common import branch_of, moment, text, whole

MAX_PEOPLE = 100_000


@transaction.atomic
def create_task(
    member,
    organisation,
    *,
    title: str,
    min_people: int = 1,
    max_people: int | None = None,
    details: str = "",
    starts_at=None,
    ends_at=None,
    struggle: Struggle | None = None,
    event: Event | None = None,
    branch: str | None = None,
    visibility: str = Visibility.PUBLIC,
) -> Task:
    """A task (no times) or a shift (a start and an end), owned like its struggle or event."""
    if struggle is not None and event is not None:
        raise RuleViolation(_t("A task belongs to a struggle or to an event, not both."), "event")
    parent = event or struggle
    if parent is not None:
        if parent.organisation_id != organisation.pk:
            raise RuleViolation(_t("Not found."), "event" if event else "struggle")
        owner = parent.branch
        if parent.visibility == Visibility.MEMBERS or (
            event is not None and event.struggle_id and event.struggle.visibility == "members"
        ):
            visibility = Visibility.MEMBERS
        if event is not None:
            struggle = event.struggle
    else:
        owner = branch_of(organisation, branch)
    term = rules.mandate(member, owner, organisation)
    if visibility not in Visibility.values:
        raise RuleViolation(_t("Choose one of the listed options."), "visibility")
    low = whole(min_people, field="min_people", low=1, high=MAX_PEOPLE)
    high = None
    if max_people is not None:
        high = whole(max_people, field="max_people", low=1, high=MAX_PEOPLE)
        if high < low:
            raise RuleViolation(_t("The most cannot be fewer than the least."), "max_people")
    if (starts_at is None) != (ends_at is None):
        raise RuleViolation(_t("A shift has a start and an end; a task has neither."), "ends_at")
    if starts_at is not None:
        starts_at = moment(starts_at, field="starts_at")
        ends_at = moment(ends_at, field="ends_at")
        if ends_at <= starts_at:
            raise RuleViolation(_t("The end must come after the start."), "ends_at")
    task = Task.objects.create(
        organisation=organisation,
        branch=owner,
        struggle=struggle,
        event=event,
        title=text(title, field="title", max_length=200),
        details=text(details, field="details", max_length=5000, required=False, one_line=False),
        starts_at=starts_at,
        ends_at=ends_at,
        min_people=low,
        max_people=high,
        visibility=visibility,
        created_by=member,
    )
    record(
        organisation,
        "task.created",
        actor=member,
        term=term,
        target=task,
        data={"title": task.title, "min_people": low, "max_people": high},
    )
    return task


def _locked(task: Task) -> Task:
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("organisation", "branch")
        .get(pk=task.pk)
    )


@transaction.atomic
def sign_up(member, task: Task) -> TaskSignup:
    task = _locked(task)
    if member is None or member.organisation_id != task.organisation_id:
        raise NotPermitted(_t("Only members of this organisation can sign up."))
    if not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing can sign up."))
    if task.done_at is not None:
        raise RuleViolation(_t("This is already done."))
    if task.ends_at is not None and task.ends_at < timezone.now():
        raise RuleViolation(_t("This shift is over."))
    existing = TaskSignup.objects.filter(task=task, member=member).first()
    if existing is not None:
        return existing
    if task.max_people is not None and task.taken >= task.max_people:
        raise RuleViolation(_t("Enough people have signed up: it is full."))
    signup = TaskSignup.objects.create(task=task, member=member)
    task.taken += 1
    task.save(update_fields=["taken"])
    return signup


@transaction.atomic
def withdraw(member, task: Task) -> None:
    task = _locked(task)
    if task.done_at is not None:
        raise RuleViolation(_t("This is already done."))
    deleted, _rows = TaskSignup.objects.filter(task=task, member=member).delete()
    if not deleted:
        raise RuleViolation(_t("You are not signed up."))
    task.taken -= 1
    task.save(update_fields=["taken"])


@transaction.atomic
def mark_done(member, task: Task) -> Task:
    """Done: said by someone who signed up, or by an organiser (logged under their mandate)."""
    task = _locked(task)
    if task.done_at is not None:
        return task
    term = None
    if member is None or not TaskSignup.objects.filter(task=task, member=member).exists():
        term = rules.mandate(member, task, task.organisation)
    elif not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing can do this."))
    task.done_at = timezone.now()
    task.save(update_fields=["done_at"])
    if term is not None:
        record(task.organisation, "task.done", actor=member, term=term, target=task, data={})
    return task


def is_signed_up(member, task: Task) -> bool:
    return member is not None and TaskSignup.objects.filter(task=task, member=member).exists()


def visible_tasks(viewer, organisation):
    qs = Task.objects.filter(organisation=organisation).select_related("struggle", "event")
    if not rules.is_member(viewer, organisation):
        qs = qs.filter(visibility=Visibility.PUBLIC).exclude(
            struggle__visibility=Visibility.MEMBERS
        )
    return qs


def people(viewer, task: Task) -> list[dict]:
    """Who signed up: to the organisers whose mandate reaches the task; [] to anyone else."""
    if not rules.may_run(viewer, task):
        return []
    return [
        {"member_id": s.member_id, "name": s.member.name}
        for s in task.signups.select_related("member").order_by("member__name")
    ]


def mine(member, found) -> set[int]:
    """The ids among ``found`` (tasks) that ``member`` signed up for: to show their buttons."""
    if member is None:
        return set()
    return set(
        TaskSignup.objects.filter(member=member, task__in=found).values_list("task_id", flat=True)
    )
