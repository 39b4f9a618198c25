"""Members' names at an assembly are for members (issue 10, finding 5).

Before: anyone, logged out, read the participants list (names, ids, branches),
the named-vote record, the speakers list and the movers of motions, through the
API and the pages. Now each is read by members in good standing only
(``assemblies.rules``); everyone else still sees the counts and the results.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tribune.assemblies import services
from tribune.assemblies.models import Assembly
from tribune.assemblies.tests.sitting import begin
from tribune.members import services as members
from tribune.members.rules import sees_member_names
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

API = "/api/v1/organisations/test-union"
WEB = "/o/test-union"
TEXT = "1. Rents are frozen.\n2. Repairs within 14 days."


@pytest.fixture
def hall(world):
    """A congress chaired by Eli: Ben moved a motion, everyone was seated and voted by name,
    and Cam waits to speak on the current item."""
    body = create_body(world.org, name="Conference committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Convenor", mandate="Convene the congress.", powers=["convene_assemblies"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    now = timezone.now()
    assembly = services.convene(
        world.ana,
        world.root,
        title="Congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(days=1),
        motions_deadline=now + timedelta(hours=1),
        chair=world.eli,
    )
    motion = services.table_motion(world.ben, assembly, title="Rents", text=TEXT)
    assembly = begin(world.eli, assembly)
    item = services.add_agenda_item(world.eli, assembly, title="Housing", minutes=30)
    services.set_current_item(world.eli, item)
    vote = services.open_vote(world.eli, assembly, motion=motion)
    for member, choice in ((world.ben, "yes"), (world.cam, "no"), (world.ana, "yes")):
        services.cast_live_vote(member, vote, choice)
    services.close_vote(world.eli, vote)
    services.request_to_speak(world.cam, item)
    world.suspended = members.apply_for_membership(
        world.org, user=None, name="Sus", email="sus@test.org", branch=world.millbrook
    )
    return {"assembly": assembly, "vote": vote, "item": item, "motion": motion}


def _client(world, short=None) -> Client:
    client = Client()
    if short:
        client.force_login(world.users[short])
    return client


def _outsider() -> Client:
    from conftest import make_user

    client = Client()
    client.force_login(make_user("olga"))
    return client


def test_only_members_in_good_standing_see_names(world):
    assert sees_member_names(world.ben, world.org)
    assert not sees_member_names(None, world.org)
    members.suspend_member(world.ana, world.cam, "Broke the safeguarding policy.")
    world.cam.refresh_from_db()
    assert not sees_member_names(world.cam, world.org)


def test_the_participants_list_is_for_members(world, hall):
    url = f"{API}/assemblies/{hall['assembly'].pk}/participants"
    refused = Client().get(url)
    assert refused.status_code == 401
    refused = _outsider().get(url)
    assert refused.status_code == 403
    assert refused.json()["detail"][0]["reason"] == (
        "Only members in good standing of this organisation see who its members are."
    )
    listed = _client(world, "ben").get(url)
    assert listed.status_code == 200 and {"Ben", "Cam"} <= {p["name"] for p in listed.json()}
    # Everyone still sees how many take part.
    assembly = Client().get(f"{API}/assemblies/{hall['assembly'].pk}").json()
    assert assembly["participants"] == 5


def test_a_named_vote_names_voters_to_members_only(world, hall):
    url = f"{API}/assemblies/{hall['assembly'].pk}/votes/{hall['vote'].pk}"
    for client in (Client(), _outsider()):
        vote = client.get(url).json()
        assert vote["named"] is None and vote["secret"] is False
        assert vote["result"]["yes"] == 2 and vote["result"]["no"] == 1  # counts stay public
        listed = client.get(f"{API}/assemblies/{hall['assembly'].pk}/votes").json()
        assert all(v["named"] is None for v in listed)
    named = _client(world, "ben").get(url).json()["named"]
    assert {(n["name"], n["choice"]) for n in named} == {
        ("Ben", "yes"),
        ("Cam", "no"),
        ("Ana", "yes"),
    }


def test_speakers_and_movers_are_named_to_members_only(world, hall):
    base = f"{API}/assemblies/{hall['assembly'].pk}"
    speakers = f"{base}/agenda/{hall['item'].pk}/speakers"
    motion = f"{base}/motions/{hall['motion'].pk}"
    anonymous = Client()
    assert [s["name"] for s in anonymous.get(speakers).json()["waiting"]] == [None]
    assert anonymous.get(motion).json()["tabled_by"] is None
    assert anonymous.get(f"{base}/motions").json()[0]["tabled_by"] is None
    ben = _client(world, "ben")
    assert [s["name"] for s in ben.get(speakers).json()["waiting"]] == ["Cam"]
    assert ben.get(motion).json()["tabled_by"] == "Ben"


@pytest.mark.parametrize("tail", ["", "live/", "projector/", "minutes/", "minutes.md"])
def test_the_pages_name_no_member_to_outsiders(world, hall, tail):
    url = f"{WEB}/assemblies/{hall['assembly'].pk}/{tail}"
    for client in (Client(), _outsider()):
        page = client.get(url)
        text = page.content.decode()
        assert page.status_code == 200
        assert "Ben" not in text and "Cam" not in text, tail
    member = _client(world, "ana").get(url).content.decode()
    if tail in ("", "live/"):
        assert "Cam" in member  # waiting to speak, and a voter of the named vote
