"""The hall by keyboard alone: the speakers list and the live vote.

Ben puts himself on the speakers list, Eli (the chair) calls the next speaker
and opens a vote, Ben votes and Eli closes it — each with Tab, Shift+Tab,
Space and Enter only. The live panel is redrawn under Ben's feet when the vote
opens (pushed by Server-Sent Events): his focus must stay where it was, not
fall back to the top of the page. Served by test_browser's ASGI server.
"""

import pytest

from tribune.assemblies import services
from tribune.assemblies.models import LiveVote
from tribune.assemblies.tests.sitting import begin, convene
from tribune.assemblies.tests.test_browser import TIMEOUT, asgi_server  # noqa: F401
from tribune.elections.models import Ballot
from tribune.web.tests.keyboard import focused, log_in, named, press_and_wait, tab_to, text_is

pytestmark = pytest.mark.browser


def _sitting(world, competing: int = 1):
    """A congress in session, everyone checked in, an item under discussion, its motions."""
    assembly = convene(world, title="Founding congress")
    item = services.add_agenda_item(world.eli, assembly, title="Housing", minutes=30)
    titles = ["Rent strike", "Tenants' union", "Housing co-operative"][:competing]
    motions = [
        services.table_motion(
            world.ben, assembly, title=title, text=f"We support the {title}.", agenda_item=item
        )
        for title in titles
    ]
    begin(world.eli, assembly)
    services.set_current_item(world.eli, item)
    return assembly, motions[0] if competing == 1 else motions


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#live[data-connected='1']", state="attached")


def test_speakers_list_and_live_vote_by_keyboard_only(asgi_server, live_world, browser):  # noqa: F811
    assembly, motion = _sitting(live_world)
    url = f"{asgi_server}{assembly.get_absolute_url()}"
    contexts = [browser.new_context(), browser.new_context()]
    try:
        ben, eli = (context.new_page() for context in contexts)
        for page, short in ((ben, "ben"), (eli, "eli")):
            page.set_default_timeout(TIMEOUT)
            log_in(page, asgi_server, short)

        # Ben puts himself on the speakers list.
        _open(ben, url)
        tab_to(ben, text_is("Request to speak"))
        press_and_wait(ben)
        assert "Ben" in ben.inner_text("#speakers")

        # Eli calls the next speaker: Ben has the floor.
        _open(eli, url)
        tab_to(eli, text_is("Next speaker"))
        press_and_wait(eli)
        assert eli.inner_text("#speaker-name") == "Ben"

        # Ben waits on his page, his focus on a control of the live panel...
        _open(ben, url)
        tab_to(ben, text_is("Request to speak"))
        # ...while Eli opens the vote on the motion: choose it, then the button.
        _open(eli, url)
        tab_to(eli, named("subject"))
        assert eli.input_value("#id_subject") == f"m{motion.pk}"
        tab_to(eli, text_is("Open the vote"))
        press_and_wait(eli)
        eli.wait_for_selector("text=Close the vote")

        # The vote reaches Ben's page by itself; his focus is where he left it.
        ben.wait_for_selector("form.ballot button[value=yes]")
        assert (focused(ben) or {}).get("text") == "Request to speak", "focus lost on redraw"
        # The ballot is the next panel: on to "No", back one to "Yes", on again to "No".
        tab_to(ben, named("choice", "no"))
        tab_to(ben, named("choice", "yes"), back=True)
        tab_to(ben, named("choice", "no"))
        press_and_wait(ben, "Space")
        ben.wait_for_selector("#voted")

        # Eli closes the vote by keyboard too.
        tab_to(eli, text_is("Close the vote"))
        press_and_wait(eli)
        eli.wait_for_selector("text=The vote is closed.")
        vote = LiveVote.objects.select_related("election").get(motion=motion)
        assert vote.election.turnout == 1

        # Nothing traps the focus: Tab goes through the page and comes round to its top.
        tab_to(ben, text_is("Skip to content"))
        tab_to(ben, text_is("Skip to content"))
    finally:
        for context in contexts:
            context.close()


def test_ranking_the_competing_motions_by_keyboard_only(asgi_server, live_world, browser):  # noqa: F811
    assembly, motions = _sitting(live_world, competing=3)
    contexts = [browser.new_context()]
    try:
        ben = contexts[0].new_page()
        ben.set_default_timeout(TIMEOUT)
        log_in(ben, asgi_server, "ben")
        _open(ben, f"{asgi_server}{assembly.get_absolute_url()}")
        tab_to(ben, text_is("Request to speak"))
        vote = services.open_ranking_vote(live_world.eli, motions[0].agenda_item)
        ben.wait_for_selector("#ranking-form")
        assert (focused(ben) or {}).get("text") == "Request to speak"

        # Ben numbers them 1, 2, 3 down the list, then thinks again: the last goes
        # first. Arrow keys set a number; Shift+Tab goes back up the list.
        first, second, third = (f"rank_{m.pk}" for m in motions)
        tab_to(ben, named(first))
        ben.keyboard.press("ArrowDown")  # — → 1
        tab_to(ben, named(second))
        for _ in range(2):
            ben.keyboard.press("ArrowDown")  # → 2
        tab_to(ben, named(third))
        for _ in range(3):
            ben.keyboard.press("ArrowDown")  # → 3
        ben.keyboard.press("Home")  # back to —
        ben.keyboard.press("ArrowDown")  # → 1
        tab_to(ben, named(first), back=True)
        for _ in range(2):
            ben.keyboard.press("ArrowDown")  # 1 → 3
        numbers = [ben.input_value(f"select[name={name}]") for name in (first, second, third)]
        assert numbers == ["3", "2", "1"]
        tab_to(ben, text_is("Cast my ranking"))
        press_and_wait(ben)
        ben.wait_for_selector("#voted")
        ballot = Ballot.objects.get(election=vote.election)
        assert ballot.choice == [motions[2].pk, motions[1].pk, motions[0].pk]
    finally:
        for context in contexts:
            context.close()
