"""Nothing called at the door can stop the clock, and one broken item never stops the others."""

import logging
from datetime import timedelta
from typing import get_args
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from tribune.elections import api, services
from tribune.elections.models import Ballot, Election, Kind, Method, PetitionStatus, Status
from tribune.factions import services as factions
from tribune.lib.errors import RuleViolation
from tribune.members.models import Member
from tribune.offices.models import TermSource
from tribune.offices.services import begin_term, create_office

ORG = "/api/v1/organisations/test-union"


def _reasons(response) -> dict:
    return {d["field"]: d["reason"] for d in response.json()["detail"]}


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (Kind.RECALL, "opens when a petition reaches its threshold"),
        (Kind.ASSEMBLY, "opened by its chair, in the hall"),
        (Kind.DISSOLUTION, "proposed by one of its members"),
        ("coronation", "Unknown kind of vote “coronation”"),
    ],
)
def test_kinds_with_their_own_door_are_not_called(world, office, kind, reason):
    with pytest.raises(RuleViolation, match=reason) as refused:
        services.call_election(world.ana, office=office, kind=kind, question="Why?")
    assert refused.value.field == "kind"
    assert not Election.objects.exists()


def test_an_unknown_counting_method_is_refused_with_the_methods_allowed(world, office):
    with pytest.raises(RuleViolation, match="Unknown counting method “dictator”") as refused:
        services.call_election(world.ana, office=office, method="dictator")
    assert refused.value.field == "method"
    assert "scottish-stv" in refused.value.message
    with pytest.raises(RuleViolation, match="counted yes / no / abstain") as refused:
        services.call_election(
            world.ana,
            kind=Kind.REFERENDUM,
            question="Strike?",
            method=Method.MEEK_STV,
            electorate_branch=world.root,
        )
    assert refused.value.field == "method"
    assert not Election.objects.exists()


def test_the_api_refuses_them_and_its_schema_lists_what_is_allowed(world, office):
    client = Client()
    client.force_login(world.users["ana"])

    def call(body):
        return client.post(f"{ORG}/elections", body, content_type="application/json")

    recall = call({"office_id": office.pk, "kind": "recall"})
    assert recall.status_code == 422 and "kind" in _reasons(recall)
    dictator = call({"office_id": office.pk, "method": "dictator"})
    assert dictator.status_code == 422 and "method" in _reasons(dictator)
    assert not Election.objects.exists()
    # The schema's enums are the domain's own values.
    assert set(get_args(api.CallableKind)) == set(services.CALLABLE_KINDS)
    assert set(get_args(api.MethodName)) == set(Method.values)
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["CallIn"]
    assert set(schema["properties"]["kind"]["enum"]) == {"office", "referendum", "amendment"}
    method = schema["properties"]["method"]["anyOf"][0]
    assert set(method["enum"]) == set(Method.values)


def _broken(world, **fields) -> Election:
    """An election row as older code let in, written past the service, with a ballot cast."""
    now = timezone.now()
    election = Election.objects.create(
        organisation=world.org,
        title="Broken",
        electorate=world.root,
        status=Status.VOTING,
        voting_open_at=now - timedelta(days=2),
        voting_close_at=now - timedelta(days=1),
        seed=1,
        **fields,
    )
    choice = "yes" if election.method == Method.YES_NO else [1]
    Ballot.objects.create(election=election, choice=choice, tracker=f"t{election.pk}")
    return election


def test_a_broken_election_is_logged_and_skipped_and_the_others_advance(world, office, caplog):
    good = services.call_election(world.ana, office=office)
    services.nominate(world.ben, good, world.ben)
    dictator = _broken(world, kind=Kind.OFFICE, office=office, method="dictator")
    orphan_recall = _broken(world, kind=Kind.RECALL, office=office, method=Method.YES_NO)
    services.advance(good, good.voting_open_at)
    with mock.patch(
        "django.utils.timezone.now", return_value=good.voting_open_at + timedelta(minutes=1)
    ):
        services.cast_ballot(world.cam, good, [good.candidacies.get().pk])
    after_close = good.voting_close_at + timedelta(minutes=1)
    with caplog.at_level(logging.ERROR, logger="tribune.clock"):
        moved = services.advance_all(after_close)
    good.refresh_from_db()
    assert good.status == Status.CERTIFIED
    assert world.ben.terms.filter(office=office).exists()
    assert moved == 1
    for broken in (dictator, orphan_recall):
        broken.refresh_from_db()
        assert broken.status == Status.VOTING  # rolled back whole, tried again next tick
    skipped = [r for r in caplog.records if r.name == "tribune.clock"]
    assert len(skipped) == 2 and all(r.exc_info for r in skipped)
    assert {r.getMessage() for r in skipped} == {
        f"The clock skipped election {dictator.pk}: it failed",
        f"The clock skipped election {orphan_recall.pk}: it failed",
    }


def test_the_whole_clock_tick_survives_a_broken_election(world, office):
    from tribune.elections import tasks
    from tribune.offices.services import create_office

    _broken(world, kind=Kind.OFFICE, office=office, method="dictator")
    treasurer = create_office(office.body, title="Treasurer", mandate="Keep the accounts.")
    outcome = tasks.election_clock.call_local()
    # The broken election stays where it was; the vacant treasurer still gets an election.
    assert outcome == {
        "advanced": 0,
        "lapsed_petitions": 0,
        "structures_put_to_members": 0,
        "structures_lapsed": 0,
        "called": 1,
    }
    assert Election.objects.get(office=treasurer).status == Status.NOMINATIONS


def test_one_office_that_fails_to_be_scheduled_does_not_stop_the_others(world, office, caplog):
    real = services.call_election

    def fails_for_the_secretary(actor, **kwargs):
        if kwargs.get("office") == office:
            raise RuntimeError("broken office")
        return real(actor, **kwargs)

    others = [
        create_office(office.body, title=title, mandate="Keep the accounts.")
        for title in ("Treasurer", "Membership officer", "Editor")
    ]
    with mock.patch.object(services.scheduling, "call_election", fails_for_the_secretary):
        called = services.schedule_elections()
    assert {e.office for e in called} == set(others)
    assert not Election.objects.filter(office=office).exists()
    assert "The clock skipped office" in caplog.text


def test_one_petition_that_fails_to_lapse_does_not_stop_the_others(world, office, caplog):
    for i in range(10):
        Member.objects.create(
            organisation=world.org, name=f"X{i}", home_branch=world.root, standing="good"
        )
    office.seats = 2
    office.save()
    terms = [
        begin_term(office, m, source=TermSource.ELECTION, days=10) for m in (world.ben, world.cam)
    ]
    petitions = [services.open_recall_petition(world.eli, t, "Absent.") for t in terms]
    real_record = services.recall.record

    def fails_for_the_first(organisation, action, **kwargs):
        if action == "recall.lapsed" and kwargs["target"].pk == petitions[0].pk:
            raise RuntimeError("broken petition")
        return real_record(organisation, action, **kwargs)

    with mock.patch.object(services.recall, "record", fails_for_the_first):
        assert services.lapse_petitions(timezone.now() + timedelta(days=11)) == 1
    for petition in petitions:
        petition.refresh_from_db()
    assert petitions[0].status == PetitionStatus.OPEN  # rolled back, tried again next tick
    assert petitions[1].status == PetitionStatus.LAPSED
    assert "The clock skipped recall petition" in caplog.text


def test_one_faction_that_fails_its_check_does_not_stop_the_others(world, caplog):
    first = factions.propose_faction(world.ben, world.org, name="First", platform="One.")
    second = factions.propose_faction(world.cam, world.org, name="Second", platform="Two.")
    for faction in (first, second):
        factions.sign_founding(world.eli, faction)
        factions.sign_founding(world.dana, faction)
        faction.refresh_from_db()
        leaver = faction.memberships.exclude(member=faction.proposed_by).first().member
        factions.leave_faction(leaver, faction)  # both fall below the threshold
    real = factions.dissolve

    def fails_for_the_first(faction, **kwargs):
        if faction.pk == first.pk:
            raise RuntimeError("broken faction")
        return real(faction, **kwargs)

    with mock.patch.object(factions, "dissolve", fails_for_the_first):
        assert factions.check_thresholds(timezone.now() + timedelta(days=91)) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("registered", "dissolved")
    assert "The clock skipped faction" in caplog.text


@pytest.mark.parametrize("field", ["kind", "method"])
def test_the_web_form_refuses_them_too(world, office, field):
    client = Client()
    client.force_login(world.users["ana"])
    body = {"kind": "office", "office": office.pk, field: {"kind": "recall"}.get(field, "dictator")}
    response = client.post("/o/test-union/elections/call/", body)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Election.objects.exists()
