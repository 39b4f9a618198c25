"""The public audit log never names a member for an act the rules keep private.

One member with a name and an email found nowhere else does every private act
there is, each through its service; then the whole public log is searched for
them, through the API and on the web page (anonymous, and as a member in good
standing, who sees actors' names): their id, name and email must not appear.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_user
from tribune.audit.log import PRIVATE_ACTIONS, private_ref, record
from tribune.audit.models import AuditEntry

NAME = "Zéphyrine Quillfeather"
EMAIL = "zephyrine.quillfeather@private.example"
# Keys under which an entry's data names a member (by id, in the old log).
MEMBER_KEYS = {"member", "signer", "seconder", "chair", "created", "updated", "opened_by"}


def _do_every_private_act(world, office):
    """The member applies, is admitted, and does everything the rules keep private."""
    from tribune.debate import services as debate
    from tribune.elections import services as elections
    from tribune.factions import services as factions
    from tribune.factions.models import Visibility
    from tribune.members import services as members
    from tribune.members.models import Member

    user = make_user("zephyrine")
    user.email = EMAIL
    user.save()
    zed = members.apply_for_membership(
        world.org, user=user, name=NAME, email=EMAIL, branch=world.millbrook
    )
    members.admit_member(world.ana, zed)
    zed.refresh_from_db()
    members.update_profile(
        zed, name=NAME, phone="+44 7700 900123", address="1 Hidden Lane", branch=world.north
    )

    # A recall petition: opened (the first signature), withdrawn, signed again.
    ana_term = world.ana.terms.get()
    petition = elections.open_recall_petition(zed, ana_term, "Never answers letters.")
    elections.withdraw_signature(zed, petition)
    elections.sign_recall_petition(zed, petition)

    # Seconding a nomination, then a secret ballot.
    election = elections.call_election(world.ana, office=office)
    candidacy = elections.nominate(world.ben, election, world.ben, statement="Minutes.")
    elections.second_nomination(zed, candidacy)
    election = elections.advance(election, election.voting_open_at)
    with mock.patch(
        "django.utils.timezone.now", return_value=election.voting_open_at + timedelta(hours=1)
    ):
        elections.cast_ballot(zed, election, [candidacy.pk])

    # Factions: a founding signature, then a public membership made private, left,
    # joined again in public and made private.
    left = factions.propose_faction(world.ben, world.org, name="Left Unity", platform="Unity.")
    factions.sign_founding(zed, left)
    factions.sign_founding(world.cam, left)
    left.refresh_from_db()
    factions.set_visibility(zed, left, Visibility.PUBLIC)
    factions.set_visibility(zed, left, Visibility.PRIVATE)
    factions.leave_faction(zed, left)
    factions.join_faction(zed, left, visibility=Visibility.PUBLIC)
    factions.set_visibility(zed, left, Visibility.PRIVATE)

    # Following a debate thread.
    thread = debate.open_thread(world.ben, world.org, title="Rents", text="Organise.")
    debate.follow(zed, thread)
    debate.unfollow(zed, thread)

    # A critical-mass pledge: made (it reaches its number at once), then withdrawn.
    from tribune.offices.services import begin_term, create_office
    from tribune.struggles.services import pledges

    organiser = create_office(
        office.body, title="Organiser", mandate="Run campaigns.", powers=["run_struggles"]
    )
    begin_term(organiser, world.ana, source="election")
    pledge = pledges.create_pledge(
        world.ana,
        world.org,
        action="Withhold rent",
        threshold=1,
        deadline=timezone.now() + timedelta(days=7),
    )
    pledges.make_pledge(zed, pledge)
    pledges.withdraw(zed, pledge)
    # A pledge with a unit and a second key by vote: pledged in a unit, the go voted.
    keyed = pledges.create_pledge(
        world.ana,
        world.org,
        action="Strike at the depot",
        threshold=1,
        deadline=timezone.now() + timedelta(days=7),
        units=[{"name": "Depot", "target": 1}],
        second_key="vote",
        decide_hours=24,
    )
    pledges.make_pledge(zed, keyed, unit="Depot")
    pledges.vote_go(zed, keyed, True)
    # A shift taken and done; an event signed up for, attendance marked by an organiser.
    from tribune.struggles.services import events as struggle_events
    from tribune.struggles.services import tasks as struggle_tasks

    shift = struggle_tasks.create_task(world.ana, world.org, title="Gate", min_people=1)
    struggle_tasks.sign_up(zed, shift)
    struggle_tasks.mark_done(zed, shift)
    start = timezone.now() + timedelta(days=2)
    picket = struggle_events.create_event(
        world.ana,
        world.org,
        title="Picket",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Gate",
    )
    struggle_events.sign_up(zed, picket)
    struggle_events.mark_attendance(world.ana, picket, zed.pk, "attended")

    # Suspended by an officer (public act, named officer), appeal lodged by the member.
    change = members.suspend_member(world.ana, zed, "Unpaid dues.")
    members.lodge_appeal(Member.objects.get(pk=zed.pk), change, "I paid in cash.")

    # Their own data: exported, then resignation, a second application, erasure.
    members.export_data(zed)
    members.resign(Member.objects.get(pk=zed.pk))
    zed = members.apply_for_membership(
        world.org, user=user, name=NAME, email=EMAIL, branch=world.millbrook
    )
    members.erase(Member.objects.get(pk=zed.pk))
    return zed.pk


def _names_member(data, member_id: int, key: str = "") -> bool:
    if isinstance(data, dict):
        return any(_names_member(v, member_id, k) for k, v in data.items())
    if isinstance(data, list):
        return any(_names_member(v, member_id, key) for v in data)
    if isinstance(data, str):
        return NAME in data or EMAIL in data or f"member:{member_id}" in data
    return key in MEMBER_KEYS and data == member_id


def _check_entry(entry: dict, member_id: int) -> None:
    assert entry["actor_id"] != member_id, entry
    assert entry["target"] != f"member:{member_id}", entry
    assert NAME not in entry["target"] and EMAIL not in entry["target"], entry
    assert not _names_member(entry["data"], member_id), entry


def _pages(client: Client, url: str) -> list[str]:
    pages, page = [], 1
    while True:
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        pages.append(response.content.decode())
        if "Older</a>" not in pages[-1]:
            return pages
        page += 1


def test_no_private_act_names_its_member_anywhere_in_the_public_log(world, office):
    before = AuditEntry.objects.filter(organisation=world.org).count()
    member_id = _do_every_private_act(world, office)
    walked = set(
        AuditEntry.objects.filter(organisation=world.org, seq__gt=before).values_list(
            "action", flat=True
        )
    )
    # The walk really did every act the rules keep private.
    assert PRIVATE_ACTIONS <= walked, PRIVATE_ACTIONS - walked

    anonymous = Client()
    api = anonymous.get(f"/api/v1/organisations/{world.org.slug}/audit", {"limit": 1000})
    assert api.status_code == 200
    entries = api.json()
    assert len(entries) == AuditEntry.objects.filter(organisation=world.org).count()
    for entry in entries:
        _check_entry(entry, member_id)

    member = Client()
    member.force_login(world.users["ben"])
    for client in (anonymous, member):
        for html in _pages(client, f"/o/{world.org.slug}/audit/"):
            assert NAME not in html and EMAIL not in html
            assert f"member:{member_id}<" not in html
            assert f"member #{member_id}<" not in html
    # The member's view does show names for acts of office: the check above is not vacuous.
    assert "Ana" in _pages(member, f"/o/{world.org.slug}/audit/")[0]


def test_private_references_link_one_purpose_only(world):
    """A signer's reference is the same on one petition and different on the next."""
    first = private_ref(world.ben, "recall-petition:1")
    assert first == private_ref(world.ben, "recall-petition:1")
    assert first != private_ref(world.ben, "recall-petition:2")
    assert first != private_ref(world.cam, "recall-petition:1")


def test_record_refuses_to_name_a_member_for_a_private_act(world):
    with pytest.raises(ValueError, match="private"):
        record(world.org, "recall.signed", actor=world.ben)
    with pytest.raises(ValueError, match="private"):
        record(world.org, "faction.joined", target=world.ben)
