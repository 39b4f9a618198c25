"""API: struggles, pledges, events, solidarity requests and the caller's notices.

Pledges show their count and state to everyone who may see them, and to the
caller their own pledge (``mine``); no answer ever lists who pledged.
Solidarity requests are also given as self-contained documents with their URIs
(``/activity``), the shape the network issue will send between servers.
"""

import json
from datetime import date, datetime

from django.utils.translation import gettext as _t
from ninja import Router, Schema, Status

from tribune.api.common import acting, organisation_and_member
from tribune.api.types import Id, PathText
from tribune.lib.errors import NotFound, RuleViolation
from tribune.struggles import rules
from tribune.struggles.models import (
    Event,
    Notice,
    Pledge,
    SecondKey,
    SolidarityRequest,
    Struggle,
    StruggleStatus,
    Task,
    Visibility,
)
from tribune.struggles.services import events, notices, pledges, solidarity, tasks
from tribune.struggles.services import struggles as struggle_services
from tribune.struggles.services.common import uri

router = Router(tags=["struggles"])


def _visible(model, organisation, pk, viewer):
    obj = (
        model.objects.select_related("organisation", "branch")
        .filter(organisation=organisation, pk=pk)
        .first()
    )
    if obj is None or not rules.may_see(viewer, obj):
        raise NotFound(_t("Not found."))
    return obj


def _struggle_ref(organisation, struggle_id: int | None, viewer):
    if struggle_id is None:
        return None
    obj = Struggle.objects.filter(organisation=organisation, pk=struggle_id).first()
    if obj is None or not rules.may_see(viewer, obj):
        raise RuleViolation(_t("No struggle of this organisation has this number."), "struggle_id")
    return obj


# --- schemas ---------------------------------------------------------------------------------


class StruggleSummary(Schema):
    id: int
    uri: str
    title: str
    status: str
    visibility: str
    owner: str
    branch: str | None
    programme: list[str]
    created_at: datetime


class UpdateOut(Schema):
    id: int
    text: str
    visibility: str
    status_to: str
    created_at: datetime


class PledgeUnitOut(Schema):
    name: str
    target: int
    count: int
    reached: bool


class PledgeOut(Schema):
    id: int
    uri: str
    action: str
    details: str
    unit: str
    threshold: int
    count: int
    deadline: datetime
    state: str
    triggered_at: datetime | None
    struggle_id: int | None
    branch: str | None
    units: list[PledgeUnitOut]
    second_key: str
    decider: str | None
    decide_by: datetime | None
    go_votes: int
    stop_votes: int
    mine: str | None  # "pledged", "withdrawn", "late" — only ever the caller's own
    my_unit: str | None
    my_vote: str | None  # "go", "stop" — only ever the caller's own


class EventOut(Schema):
    id: int
    uri: str
    title: str
    kind: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    place: str
    link: str
    capacity: int | None
    signed_up: int
    sequence: int
    cancelled: bool
    struggle_id: int | None
    mine: str | None


class ResponseOut(Schema):
    id: str
    responder: dict
    amount: int
    note: str
    at: str


class SolidarityOut(Schema):
    id: str
    struggle: str
    kind: str
    title: str
    details: str
    quantity: int
    on_date: str | None
    deadline: str
    asked: list[dict]
    status: str
    responses: list[ResponseOut]
    pledged: int
    number: int


class StruggleOut(StruggleSummary):
    summary: str
    lessons_link: str
    ended_at: datetime | None
    updates: list[UpdateOut]
    pledges: list[PledgeOut]
    events: list[EventOut]
    solidarity: list[SolidarityOut]


class StruggleIn(Schema):
    title: str
    summary: str = ""
    branch: str | None = None
    status: str = StruggleStatus.PREPARING.value
    visibility: str = Visibility.PUBLIC.value
    programme: list[str] = []


class UpdateIn(Schema):
    text: str
    visibility: str = Visibility.PUBLIC.value
    status: str = ""
    lessons_link: str = ""


class PledgeIn(Schema):
    action: str
    threshold: int
    deadline: datetime
    struggle_id: int | None = None
    branch: str | None = None
    unit: str = ""
    details: str = ""
    follow_up_days: int | None = None
    units: list[dict] | None = None
    second_key: str = SecondKey.NONE.value
    decider: str | None = None  # the short name of the body that decides
    decide_hours: int | None = None


class PledgeGoIn(Schema):
    go: bool


class EventAttendanceOut(Schema):
    member_id: int
    name: str
    state: str


class EventAttendanceIn(Schema):
    member_id: int
    state: str


class TaskOrShiftOut(Schema):
    id: int
    uri: str
    title: str
    details: str
    starts_at: datetime | None
    ends_at: datetime | None
    min_people: int
    max_people: int | None
    taken: int
    status: str
    struggle_id: int | None
    event_id: int | None
    branch: str | None
    mine: bool
    people: list[dict]  # for the organisers only; [] for everyone else


class TaskOrShiftIn(Schema):
    title: str
    min_people: int = 1
    max_people: int | None = None
    details: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    struggle_id: int | None = None
    event_id: int | None = None
    branch: str | None = None
    visibility: str = Visibility.PUBLIC.value


class EventIn(Schema):
    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str = "UTC"
    kind: str = "meeting"
    description: str = ""
    place: str = ""
    link: str = ""
    capacity: int | None = None
    struggle_id: int | None = None
    branch: str | None = None
    visibility: str = Visibility.PUBLIC.value
    reminders: list[int] | None = None


class EventChangeIn(Schema):
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    time_zone: str | None = None
    place: str | None = None
    link: str | None = None
    description: str | None = None
    capacity: int | None = None


class CancelIn(Schema):
    reason: str = ""


class AskIn(Schema):
    struggle_id: int
    kind: str
    title: str
    quantity: int
    deadline: datetime
    details: str = ""
    on_date: date | None = None
    branches: list[str] = []
    elsewhere: list[dict] = []


class RespondIn(Schema):
    branch: str
    amount: int
    note: str = ""


class NoticeOut(Schema):
    id: int
    text: str
    link: str
    created_at: datetime
    read: bool


# --- shaping ---------------------------------------------------------------------------------


def _struggle_summary(s: Struggle) -> dict:
    return {
        "id": s.pk,
        "uri": uri("struggle", s.uid),
        "title": s.title,
        "status": s.status,
        "visibility": s.visibility,
        "owner": s.owner_kind,
        "branch": s.branch.slug if s.branch_id else None,
        "programme": s.programme_keys,
        "created_at": s.created_at,
    }


def _pledge(p: Pledge, viewer) -> dict:
    own = pledges.own_commitment(viewer, p)
    mine = my_unit = my_vote = None
    if own is not None:
        mine = "withdrawn" if own.withdrawn_at else ("late" if own.late else "pledged")
        if own.withdrawn_at is None:
            my_unit = own.unit.name if own.unit_id else None
            my_vote = None if own.go_vote is None else ("go" if own.go_vote else "stop")
    return {
        "id": p.pk,
        "uri": uri("pledge", p.uid),
        "action": p.action,
        "details": p.details,
        "unit": p.unit,
        "threshold": p.threshold,
        "count": p.count,
        "deadline": p.deadline,
        "state": p.state(),
        "triggered_at": p.triggered_at,
        "struggle_id": p.struggle_id,
        "branch": p.branch.slug if p.branch_id else None,
        "units": pledges.unit_counts(p),
        "second_key": p.second_key,
        "decider": p.decider.name if p.decider_id else None,
        "decide_by": p.decide_by,
        "go_votes": p.go_votes,
        "stop_votes": p.stop_votes,
        "mine": mine,
        "my_unit": my_unit,
        "my_vote": my_vote,
    }


def _event(e: Event, viewer) -> dict:
    own = e.signups.filter(member=viewer).first() if viewer else None
    return {
        "id": e.pk,
        "uri": uri("event", e.uid),
        "title": e.title,
        "kind": e.kind,
        "description": e.description,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "time_zone": e.time_zone,
        "place": e.place,
        "link": e.link,
        "capacity": e.capacity,
        "signed_up": e.signups.count(),
        "sequence": e.sequence,
        "cancelled": e.cancelled_at is not None,
        "struggle_id": e.struggle_id,
        "mine": own.state if own else None,
    }


def _solidarity(r: SolidarityRequest) -> dict:
    return {**solidarity.as_activity(r), "pledged": solidarity.pledged(r), "number": r.pk}


def _struggle(s: Struggle, viewer) -> dict:
    return {
        **_struggle_summary(s),
        "summary": s.summary,
        "lessons_link": s.lessons_link,
        "ended_at": s.ended_at,
        "updates": list(struggle_services.visible_updates(viewer, s)),
        "pledges": [
            _pledge(p, viewer)
            for p in s.pledges.select_related("branch", "decider").prefetch_related("units")
        ],
        "events": [
            _event(e, viewer)
            for e in events.visible_events(viewer, s.organisation).filter(struggle=s)
        ],
        "solidarity": [_solidarity(r) for r in s.solidarity_requests.all()],
    }


# --- struggles -------------------------------------------------------------------------------


@router.get("/{slug}/struggles", response=list[StruggleSummary])
def list_struggles(request, slug: PathText):
    """Struggles and campaigns the caller may see (members-only ones for members)."""
    organisation, viewer = organisation_and_member(request, slug)
    return [_struggle_summary(s) for s in struggle_services.visible_struggles(viewer, organisation)]


@router.post("/{slug}/struggles", response={201: StruggleOut})
def start_struggle(request, slug: PathText, payload: StruggleIn):
    organisation, viewer = acting(request, slug)
    s = struggle_services.start_struggle(viewer, organisation, **payload.dict())
    return Status(201, _struggle(s, viewer))


@router.get("/{slug}/struggles/{struggle_id}", response=StruggleOut)
def get_struggle(request, slug: PathText, struggle_id: Id):
    organisation, viewer = organisation_and_member(request, slug)
    return _struggle(_visible(Struggle, organisation, struggle_id, viewer), viewer)


@router.post("/{slug}/struggles/{struggle_id}/updates", response={201: UpdateOut})
def post_update(request, slug: PathText, struggle_id: Id, payload: UpdateIn):
    organisation, viewer = acting(request, slug)
    s = _visible(Struggle, organisation, struggle_id, viewer)
    data = payload.dict()
    update = struggle_services.post_update(viewer, s, text_=data.pop("text"), **data)
    return Status(201, update)


# --- pledges ---------------------------------------------------------------------------------


@router.get("/{slug}/pledges", response=list[PledgeOut])
def list_pledges(request, slug: PathText):
    organisation, viewer = organisation_and_member(request, slug)
    return [_pledge(p, viewer) for p in pledges.visible_pledges(viewer, organisation)]


@router.post("/{slug}/pledges", response={201: PledgeOut})
def create_pledge(request, slug: PathText, payload: PledgeIn):
    organisation, viewer = acting(request, slug)
    data = payload.dict()
    struggle = _struggle_ref(organisation, data.pop("struggle_id"), viewer)
    p = pledges.create_pledge(viewer, organisation, struggle=struggle, **data)
    return Status(201, _pledge(p, viewer))


@router.get("/{slug}/pledges/{pledge_id}", response=PledgeOut)
def get_pledge(request, slug: PathText, pledge_id: Id):
    """The count and the state (computed now); ``mine`` is the caller's own pledge only."""
    organisation, viewer = organisation_and_member(request, slug)
    p = _visible(Pledge, organisation, pledge_id, viewer)
    pledges.settle(p)
    return _pledge(p, viewer)


# The body is optional (most pledges have no units), which django-ninja's body
# parameters cannot say: it is declared here and read by ``_unit``.
COMMIT_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "unit": {"anyOf": [{"type": "string", "maxLength": 200}, {"type": "null"}]}
                    },
                }
            }
        },
    }
}


def _unit(request) -> str | None:
    """The pledger's unit from an optional JSON body ``{"unit": "Block A"}``."""
    if request.content_type != "application/json" or not request.body.strip():
        return None  # no body (a pledge without units)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise RuleViolation(_t('Send a JSON object such as {"unit": "Block A"}.'), "unit") from None
    if not isinstance(data, dict):
        raise RuleViolation(_t('Send a JSON object such as {"unit": "Block A"}.'), "unit")
    unit = data.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise RuleViolation(_t("Give text here."), "unit")
    return unit


@router.post(
    "/{slug}/pledges/{pledge_id}/commitment",
    response={201: PledgeOut},
    openapi_extra=COMMIT_BODY,
)
def make_pledge(request, slug: PathText, pledge_id: Id):
    """Pledge (with units, ``unit`` names yours); the N-th pledge triggers, in its transaction."""
    organisation, viewer = acting(request, slug)
    p = _visible(Pledge, organisation, pledge_id, viewer)
    pledges.make_pledge(viewer, p, unit=_unit(request))
    p.refresh_from_db()
    return Status(201, _pledge(p, viewer))


@router.post("/{slug}/pledges/{pledge_id}/go", response=PledgeOut)
def give_go(request, slug: PathText, pledge_id: Id, payload: PledgeGoIn):
    """The second key: the named body's decision, or a pledger's own vote, on the go."""
    organisation, viewer = acting(request, slug)
    p = _visible(Pledge, organisation, pledge_id, viewer)
    if p.second_key == SecondKey.VOTE:
        pledges.vote_go(viewer, p, payload.go)
    else:
        pledges.decide_go(viewer, p, payload.go)
    p.refresh_from_db()
    return _pledge(p, viewer)


@router.delete("/{slug}/pledges/{pledge_id}/commitment", response=PledgeOut)
def withdraw_pledge(request, slug: PathText, pledge_id: Id):
    organisation, viewer = acting(request, slug)
    p = _visible(Pledge, organisation, pledge_id, viewer)
    pledges.withdraw(viewer, p)
    p.refresh_from_db()
    return _pledge(p, viewer)


# --- events ----------------------------------------------------------------------------------


@router.get("/{slug}/events", response=list[EventOut])
def list_events(request, slug: PathText):
    organisation, viewer = organisation_and_member(request, slug)
    return [_event(e, viewer) for e in events.visible_events(viewer, organisation)]


@router.post("/{slug}/events", response={201: EventOut})
def create_event(request, slug: PathText, payload: EventIn):
    organisation, viewer = acting(request, slug)
    data = payload.dict()
    struggle = _struggle_ref(organisation, data.pop("struggle_id"), viewer)
    data["link_"] = data.pop("link")
    e = events.create_event(viewer, organisation, struggle=struggle, **data)
    return Status(201, _event(e, viewer))


@router.get("/{slug}/events/{event_id}", response=EventOut)
def get_event(request, slug: PathText, event_id: Id):
    organisation, viewer = organisation_and_member(request, slug)
    return _event(_visible(Event, organisation, event_id, viewer), viewer)


@router.post("/{slug}/events/{event_id}/change", response=EventOut)
def change_event(request, slug: PathText, event_id: Id, payload: EventChangeIn):
    """Change the event; a new time or place is told to everyone signed up."""
    organisation, viewer = acting(request, slug)
    e = _visible(Event, organisation, event_id, viewer)
    return _event(events.change_event(viewer, e, **payload.dict()), viewer)


@router.post("/{slug}/events/{event_id}/cancel", response=EventOut)
def cancel_event(request, slug: PathText, event_id: Id, payload: CancelIn):
    organisation, viewer = acting(request, slug)
    e = _visible(Event, organisation, event_id, viewer)
    return _event(events.cancel_event(viewer, e, payload.reason), viewer)


@router.post("/{slug}/events/{event_id}/signup", response={201: EventOut})
def sign_up(request, slug: PathText, event_id: Id):
    organisation, viewer = acting(request, slug)
    e = _visible(Event, organisation, event_id, viewer)
    events.sign_up(viewer, e)
    return Status(201, _event(e, viewer))


@router.delete("/{slug}/events/{event_id}/signup", response=EventOut)
def withdraw_signup(request, slug: PathText, event_id: Id):
    organisation, viewer = acting(request, slug)
    e = _visible(Event, organisation, event_id, viewer)
    events.withdraw_signup(viewer, e)
    return _event(e, viewer)


@router.get("/{slug}/events/{event_id}/attendance", response=list[EventAttendanceOut])
def get_attendance(request, slug: PathText, event_id: Id):
    """Everyone's state for the organisers; for anyone else, only their own."""
    organisation, viewer = acting(request, slug)
    e = _visible(Event, organisation, event_id, viewer)
    return events.attendance(viewer, e)


@router.post("/{slug}/events/{event_id}/attendance", response=EventAttendanceOut)
def mark_attendance(request, slug: PathText, event_id: Id, payload: EventAttendanceIn):
    """An organiser marks a person attended, did not come, or back to signed up."""
    organisation, viewer = acting(request, slug)
    e = _visible(Event, organisation, event_id, viewer)
    signup = events.mark_attendance(viewer, e, payload.member_id, payload.state)
    return {"member_id": signup.member_id, "name": signup.member.name, "state": signup.state}


# --- tasks and shifts ------------------------------------------------------------------------


def _task(t: Task, viewer) -> dict:
    return {
        "id": t.pk,
        "uri": uri("task", t.uid),
        "title": t.title,
        "details": t.details,
        "starts_at": t.starts_at,
        "ends_at": t.ends_at,
        "min_people": t.min_people,
        "max_people": t.max_people,
        "taken": t.taken,
        "status": t.status,
        "struggle_id": t.struggle_id,
        "event_id": t.event_id,
        "branch": t.branch.slug if t.branch_id else None,
        "mine": tasks.is_signed_up(viewer, t),
        "people": tasks.people(viewer, t),
    }


@router.get("/{slug}/tasks", response=list[TaskOrShiftOut])
def list_tasks(request, slug: PathText):
    """Tasks and shifts the caller may see, not yet done first."""
    organisation, viewer = organisation_and_member(request, slug)
    found = tasks.visible_tasks(viewer, organisation).select_related("branch")
    return [_task(t, viewer) for t in found.order_by("done_at", "starts_at", "pk")[:500]]


@router.post("/{slug}/tasks", response={201: TaskOrShiftOut})
def create_task(request, slug: PathText, payload: TaskOrShiftIn):
    organisation, viewer = acting(request, slug)
    data = payload.dict()
    struggle = _struggle_ref(organisation, data.pop("struggle_id"), viewer)
    event_id = data.pop("event_id")
    event = None
    if event_id is not None:
        event = Event.objects.filter(organisation=organisation, pk=event_id).first()
        if event is None or not rules.may_see(viewer, event):
            raise RuleViolation(_t("No event of this organisation has this number."), "event_id")
    t = tasks.create_task(viewer, organisation, struggle=struggle, event=event, **data)
    return Status(201, _task(t, viewer))


@router.get("/{slug}/tasks/{task_id}", response=TaskOrShiftOut)
def get_task(request, slug: PathText, task_id: Id):
    organisation, viewer = organisation_and_member(request, slug)
    return _task(_visible(Task, organisation, task_id, viewer), viewer)


@router.post("/{slug}/tasks/{task_id}/signup", response={201: TaskOrShiftOut})
def sign_up_task(request, slug: PathText, task_id: Id):
    organisation, viewer = acting(request, slug)
    t = _visible(Task, organisation, task_id, viewer)
    tasks.sign_up(viewer, t)
    t.refresh_from_db()
    return Status(201, _task(t, viewer))


@router.delete("/{slug}/tasks/{task_id}/signup", response=TaskOrShiftOut)
def withdraw_task(request, slug: PathText, task_id: Id):
    organisation, viewer = acting(request, slug)
    t = _visible(Task, organisation, task_id, viewer)
    tasks.withdraw(viewer, t)
    t.refresh_from_db()
    return _task(t, viewer)


@router.post("/{slug}/tasks/{task_id}/done", response=TaskOrShiftOut)
def task_done(request, slug: PathText, task_id: Id):
    """Done: by someone signed up, or by an organiser."""
    organisation, viewer = acting(request, slug)
    t = _visible(Task, organisation, task_id, viewer)
    return _task(tasks.mark_done(viewer, t), viewer)


# --- solidarity ------------------------------------------------------------------------------


@router.post("/{slug}/solidarity", response={201: SolidarityOut})
def ask_solidarity(request, slug: PathText, payload: AskIn):
    organisation, viewer = acting(request, slug)
    data = payload.dict()
    struggle = _struggle_ref(organisation, data.pop("struggle_id"), viewer)
    return Status(201, _solidarity(solidarity.ask(viewer, struggle, **data)))


@router.get("/{slug}/solidarity/{request_id}", response=SolidarityOut)
def get_solidarity(request, slug: PathText, request_id: Id):
    """The request with its URI and every response's, as a peer server would receive it."""
    organisation, viewer = organisation_and_member(request, slug)
    return _solidarity(_visible(SolidarityRequest, organisation, request_id, viewer))


@router.post("/{slug}/solidarity/{request_id}/responses", response={201: SolidarityOut})
def respond(request, slug: PathText, request_id: Id, payload: RespondIn):
    organisation, viewer = acting(request, slug)
    r = _visible(SolidarityRequest, organisation, request_id, viewer)
    solidarity.respond(viewer, r, **payload.dict())
    return Status(201, _solidarity(SolidarityRequest.objects.get(pk=r.pk)))


@router.post("/{slug}/solidarity/{request_id}/close", response=SolidarityOut)
def close_solidarity(request, slug: PathText, request_id: Id):
    organisation, viewer = acting(request, slug)
    r = _visible(SolidarityRequest, organisation, request_id, viewer)
    return _solidarity(solidarity.close(viewer, r))


# --- the caller's notices ----------------------------------------------------------------------


@router.get("/{slug}/me/notices", response=list[NoticeOut])
def my_notices(request, slug: PathText):
    """The caller's own notices (pledges reached or failed, events changed, reminders)."""
    _organisation, viewer = acting(request, slug)
    return [
        {
            "id": n.pk,
            "text": n.text,
            "link": n.link,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in Notice.objects.filter(member=viewer)[:200]
    ]


@router.post("/{slug}/me/notices/read", response={204: None})
def read_notices(request, slug: PathText):
    _organisation, viewer = acting(request, slug)
    notices.mark_read(viewer)
    return Status(204, None)
