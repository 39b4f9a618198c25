"""The member's home: what needs each person now, from the same rules as the actions."""

import pytest
from django.urls import reverse

from tribune.elections import services
from tribune.elections.models import Kind
from tribune.members.needs import needs_of
from tribune.members.services import admit_member, apply_for_membership
from tribune.offices.models import TermSource
from tribune.offices.services import begin_term


def _grow(world, n):
    for i in range(n):
        admit_member(
            world.ana,
            apply_for_membership(
                world.org, user=None, name=f"M{i}", email=f"m{i}@test.org", branch=world.south
            ),
        )


@pytest.fixture
def busy(world, office):
    """An open referendum, an office election taking nominations, a petition against Cam."""
    _grow(world, 5)  # 10 members: a recall petition needs 2 signatures
    referendum = services.call_election(
        world.ana,
        kind=Kind.REFERENDUM,
        title="Join the national strike?",
        question="Shall we join the strike on 1 May?",
        electorate_branch=world.root,
    )
    term = begin_term(office, world.cam, source=TermSource.ELECTION)
    petition = services.open_recall_petition(world.eli, term, "Minutes never circulated.")
    apply_for_membership(
        world.org, user=None, name="Zoe", email="zoe@test.org", branch=world.millbrook
    )
    return referendum, petition


def _kinds(user):
    return {(n.kind, n.title) for n in needs_of(user)}


def test_a_member_sees_the_open_vote_and_the_petition_they_may_sign(world, busy):
    referendum, petition = busy
    kinds = _kinds(world.users["ben"])
    assert ("vote", "Join the national strike?") in kinds
    assert ("recall", "Cam as Secretary") in kinds
    assert not any(kind == "applications" for kind, _ in kinds)  # no mandate: no officer's work
    link = {n.kind: n.url for n in needs_of(world.users["ben"])}
    assert link["recall"] == reverse("web:recall", args=[world.org.slug, petition.pk])


def test_what_is_done_leaves_the_home(world, busy):
    referendum, petition = busy
    services.cast_ballot(world.ben, referendum, "yes")
    services.sign_recall_petition(world.ben, petition)
    kinds = _kinds(world.users["ben"])
    assert ("vote", "Join the national strike?") not in kinds
    assert ("recall", "Cam as Secretary") not in kinds
    # His was the second signature: the recall vote is open, and waits for him.
    assert ("vote", "Recall of Cam as Secretary") in kinds


def test_the_holder_is_asked_to_reply_not_to_sign(world, busy):
    kinds = {kind for kind, _ in _kinds(world.users["cam"])}
    assert "recall_reply" in kinds and "recall" not in kinds
    # Eli opened it (and so signed it): nothing to sign.
    assert "recall" not in {kind for kind, _ in _kinds(world.users["eli"])}


def test_an_officer_sees_the_applications_their_mandate_reaches(world, busy):
    officer = [n for n in needs_of(world.users["ana"]) if n.officer]
    assert [n.kind for n in officer] == ["applications"]
    assert officer[0].url == reverse("web:applications", args=[world.org.slug])
    assert "1" in officer[0].label


def test_nominations_open_in_the_electorate(world, office):
    election = services.call_election(world.ana, office=office, title="Secretary 2027")
    assert ("nomination", "Secretary 2027") in _kinds(world.users["ben"])
    services.nominate(world.ben, election, world.ben)
    assert ("nomination", "Secretary 2027") not in _kinds(world.users["ben"])


def test_a_suspended_member_is_asked_for_nothing(world, busy):
    from tribune.members.services import suspend_member

    suspend_member(world.ana, world.ben, reason="Unpaid dues.")
    assert needs_of(world.users["ben"]) == []


def test_the_home_takes_a_bounded_number_of_queries(world, busy, django_assert_max_num_queries):
    """One query per kind of thing, however many votes, elections and branches there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_max_num_queries(15):
        needs = needs_of(world.users["ana"])
    assert {n.kind for n in needs} >= {"vote", "recall", "applications"}
    with CaptureQueriesContext(connection) as before:
        needs_of(world.users["ana"])
    for n in range(3):
        services.call_election(
            world.ana,
            kind=Kind.REFERENDUM,
            title=f"Question {n}",
            question="Yes or no?",
            electorate_branch=world.root,
        )
    with CaptureQueriesContext(connection) as after:
        assert len(needs_of(world.users["ana"])) == len(needs) + 3
    assert len(after) == len(before)


def test_the_home_page_and_the_api_list_the_same(client, world, busy):
    client.force_login(world.users["ben"])
    page = client.get("/").content.decode()
    assert "Join the national strike?" in page and "Cam as Secretary" in page
    assert "What needs you now" in page
    answer = client.get("/api/v1/me/needs").json()
    assert {(a["kind"], a["title"]) for a in answer} == _kinds(world.users["ben"])
    assert all(a["time_zone"] == "UTC" for a in answer)


def test_the_api_wants_a_login(client, db):
    assert client.get("/api/v1/me/needs").status_code == 401


def test_the_appeal_body_sees_appeals_against_moderation(world):
    from tribune.debate import services as debate
    from tribune.offices.models import BodyKind
    from tribune.offices.services import create_body, create_office

    office = create_office(
        create_body(world.org, name="Debate stewards", kind=BodyKind.COMMITTEE),
        title="Steward",
        mandate="Apply the published rules of debate.",
        powers=["moderate_debate"],
    )
    begin_term(office, world.cam, source=TermSource.ELECTION)
    thread = debate.open_thread(world.ben, world.org, title="Rents", text="Too weak.")
    post = debate.reply(world.ana, thread, "Heated but fair.")
    action = debate.hide_post(
        world.cam, post, rule=world.org.debate_rules.get(number=1), reason="Too heated."
    )
    debate.appeal_moderation(world.ana, action, "It criticised a position.")
    eli = [n for n in needs_of(world.users["eli"]) if n.officer]
    assert [n.kind for n in eli] == ["debate_appeals"]
    assert eli[0].url == reverse("web:debate_appeals", args=[world.org.slug])
    assert not any(n.kind == "debate_appeals" for n in needs_of(world.users["cam"]))
