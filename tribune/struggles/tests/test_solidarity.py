"""Solidarity requests: asked of branches, answered by their officers, open → met → closed."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.struggles.models import SolidarityRequest, SolidarityStatus
from tribune.struggles.services import solidarity
from tribune.struggles.services import struggles as struggle_services
from tribune.struggles.tests.conftest import give_mandate


@pytest.fixture
def request_(world, organiser):
    struggle = struggle_services.start_struggle(
        organiser, world.org, title="Mill Road rent strike", branch=world.millbrook.slug
    )
    return solidarity.ask(
        organiser,
        struggle,
        kind="people",
        title="Twenty people for the eviction watch",
        quantity=20,
        deadline=timezone.now() + timedelta(days=5),
        on_date=date.today() + timedelta(days=6),
        branches=[world.south.slug],
        elsewhere=[{"uri": "https://other.example.net/o/renters", "name": "Renters' Union"}],
    )


def test_a_request_has_stable_uris_and_names_who_is_asked(world, request_):
    doc = solidarity.as_activity(request_)
    assert doc["id"].endswith(f"/id/solidarity/{request_.uid}")
    assert [a["name"] for a in doc["asked"]] == ["South", "Renters' Union"]


def test_only_an_officer_of_a_branch_asked_answers_and_the_request_is_met(world, request_):
    with pytest.raises(RuleViolation) as refused:
        solidarity.respond(world.ana, request_, branch=world.north.slug, amount=5)
    assert refused.value.field == "branch"
    with pytest.raises(NotPermitted):
        solidarity.respond(world.ben, request_, branch=world.south.slug, amount=5)
    give_mandate(world, world.cam, branch=world.south)
    first = solidarity.respond(world.cam, request_, branch=world.south.slug, amount=12)
    assert first.responder_uri.endswith("/id/branch/test-union/south")
    assert SolidarityRequest.objects.get(pk=request_.pk).status == SolidarityStatus.OPEN
    solidarity.respond(world.cam, request_, branch=world.south.slug, amount=8, note="Coach booked")
    assert SolidarityRequest.objects.get(pk=request_.pk).status == SolidarityStatus.MET
    assert solidarity.pledged(request_) == 20


def test_a_request_past_its_deadline_reads_closed_and_takes_no_answer(world, organiser, request_):
    give_mandate(world, world.cam, branch=world.south)
    SolidarityRequest.objects.filter(pk=request_.pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    request_.refresh_from_db()
    assert request_.current_status() == SolidarityStatus.CLOSED
    with pytest.raises(RuleViolation):
        solidarity.respond(world.cam, request_, branch=world.south.slug, amount=1)


def test_people_need_a_date_and_someone_must_be_asked(world, organiser, request_):
    for kwargs, field in [({"on_date": None}, "on_date"), ({"branches": []}, "branches")]:
        base = {
            "kind": "people",
            "title": "Help",
            "quantity": 3,
            "deadline": timezone.now() + timedelta(days=1),
            "on_date": date.today(),
            "branches": [world.south.slug],
            **kwargs,
        }
        with pytest.raises(RuleViolation) as refused:
            solidarity.ask(organiser, request_.struggle, **base)
        assert refused.value.field == field


def test_organisations_elsewhere_are_named_by_address_and_text_only(world, organiser, request_):
    base = {
        "kind": "statement",
        "title": "Sign our statement",
        "quantity": 3,
        "deadline": timezone.now() + timedelta(days=1),
    }
    for elsewhere in ([{"uri": 5, "name": "X"}], [{"uri": "ftp://x", "name": "X"}], ["x"]):
        with pytest.raises(RuleViolation) as refused:
            solidarity.ask(organiser, request_.struggle, elsewhere=elsewhere, **base)
        assert refused.value.field == "elsewhere"
