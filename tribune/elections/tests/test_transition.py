"""From provisional to elected: what the organisation's page and API say as offices fill."""

from django.test import Client

from tribune.elections import services
from tribune.elections.models import Status
from tribune.elections.transition import transition
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office


def test_offices_move_from_not_called_to_under_way_to_elected(world, office):
    body = create_body(world.org, name="Treasury", kind=BodyKind.COMMITTEE)
    treasurer = create_office(body, title="Treasurer", mandate="Keep the accounts.", seats=2)
    state = transition(world.org)
    assert state.provisional_until is not None  # ana's, dana's and eli's founding terms
    assert {s.office.title: s.state for s in state.steps} == {
        "Secretary": "not_called",
        "Treasurer": "not_called",
    }
    assert (state.seats, state.elected) == (3, 0)
    # Provisional bodies are not part of what is to be elected.
    assert all(s.office.body.kind != BodyKind.PROVISIONAL for s in state.steps)

    election = services.call_election(world.ana, office=office)
    assert election.status == Status.NOMINATIONS
    begin_term(treasurer, world.ben, source=TermSource.ELECTION)
    state = transition(world.org)
    steps = {s.office.title: s for s in state.steps}
    assert steps["Secretary"].state == "under_way" and steps["Secretary"].election == election
    assert steps["Treasurer"].state == "not_called" and steps["Treasurer"].elected == 1
    begin_term(treasurer, world.cam, source=TermSource.ELECTION)
    state = transition(world.org)
    assert {s.office.title: s.state for s in state.steps}["Treasurer"] == "elected"
    assert (state.seats, state.elected, state.percent) == (3, 2, 67)


def test_the_organisation_page_and_api_show_the_transition(world, office):
    services.call_election(world.ana, office=office)
    page = Client().get("/o/test-union/").content.decode()
    assert "From provisional to elected" in page
    assert "0 of 1 seats elected" in page
    assert "nominations open" in page
    body = Client().get("/api/v1/organisations/test-union/transition").json()
    assert body["seats"] == 1 and body["elected"] == 0
    assert body["offices"][0]["title"] == "Secretary"
    assert body["offices"][0]["state"] == "under_way"
