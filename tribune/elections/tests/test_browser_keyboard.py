"""The secret ballot by keyboard alone: a ranked (STV) ballot and a yes/no one.

Ben cannot use a mouse. He reaches each candidate's rank with Tab, sets it with
the arrow keys, goes back with Shift+Tab to change his order, and casts with
Enter; on a referendum he moves through yes/no/abstain with the arrow keys and
casts with Enter. Every control on the way shows where the focus is.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tribune.elections import services
from tribune.elections.models import Ballot, Election, Kind, Status
from tribune.offices.models import BodyKind
from tribune.offices.services import create_body, create_office
from tribune.web.tests.keyboard import focused, log_in, named, tab_to, text_is

pytestmark = pytest.mark.browser


def _voting(election: Election) -> Election:
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.VOTING
    Election.objects.filter(pk=election.pk).update(
        voting_open_at=timezone.now() - timedelta(minutes=1)
    )
    return Election.objects.get(pk=election.pk)


def test_a_ranked_and_a_yes_no_ballot_by_keyboard_only(live_server, live_world, browser):
    world = live_world
    body = create_body(world.org, name="Executive committee", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Secretary", mandate="Keep the records.", term_days=365)
    stv = services.call_election(world.ana, office=office, returning_officer=world.eli)
    ben_stands = services.nominate(world.ben, stv, world.ben)
    cam_stands = services.nominate(world.cam, stv, world.cam)
    stv = _voting(stv)
    referendum = _voting(
        services.call_election(
            world.ana,
            kind=Kind.REFERENDUM,
            title="Affiliate to the federation",
            question="Should we affiliate to the federation?",
            electorate_branch=world.root,
        )
    )
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "ben")

    # The ranked ballot: Cam 1, Ben 2 — then, thinking again, Ben first.
    page.goto(f"{live_server.url}{stv.get_absolute_url()}")
    ben_rank, cam_rank = f"rank_{ben_stands.pk}", f"rank_{cam_stands.pk}"
    first = tab_to(page, lambda f: f["name"] in (ben_rank, cam_rank))
    order = [first["name"], ben_rank if first["name"] == cam_rank else cam_rank]
    page.keyboard.press("ArrowDown")  # "not ranked" → 1
    tab_to(page, named(order[1]))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # → 2
    assert page.input_value(f"select[name={order[0]}]") == "1"
    assert page.input_value(f"select[name={order[1]}]") == "2"
    # Back to the first with Shift+Tab: swap the two.
    tab_to(page, named(order[0]), back=True)
    page.keyboard.press("ArrowDown")  # 1 → 2
    tab_to(page, named(order[1]))
    page.keyboard.press("ArrowUp")  # 2 → 1
    wanted = {order[0]: "2", order[1]: "1"}
    for name, rank in wanted.items():
        assert page.input_value(f"select[name={name}]") == rank
    tab_to(page, text_is("Cast my secret ballot"))
    page.keyboard.press("Enter")
    page.wait_for_selector("#tracker")
    ranking = Ballot.objects.get(election=stv).choice
    top = cam_stands.pk if order[1] == cam_rank else ben_stands.pk
    assert ranking[0] == top and len(ranking) == 2

    # The yes/no ballot: arrow keys move through the choices, Enter casts.
    page.goto(f"{live_server.url}{referendum.get_absolute_url()}")
    tab_to(page, named("choice"))
    page.keyboard.press("ArrowDown")  # the next choice in the group: "no"
    page.keyboard.press("ArrowDown")  # "abstain"
    page.keyboard.press("ArrowUp")  # back to "no"
    assert focused(page)["value"] == "no"
    assert page.is_checked("input[name=choice][value=no]")
    tab_to(page, text_is("Cast my secret ballot"))
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your vote is cast")
    assert Ballot.objects.filter(election=referendum).count() == 1
