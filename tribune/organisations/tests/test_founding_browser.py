"""Founding your own organisation on a fresh server, in a real browser.

Rosa founds a trade union from the home page with a template, inviting Sami as
co-founder and naming two branches; Sami accepts from his home page; Zoe
applies to join and Rosa, on the provisional committee, admits her. Then Rosa
sets up an executive of five elected by STV and a secretary by instant-runoff,
and at the clock's next tick sees their first elections under way.
"""

import pytest

from conftest import PASSWORD, make_user
from tribune.elections import tasks
from tribune.elections.models import Election, Method
from tribune.members.models import Member, Standing
from tribune.offices.models import Office
from tribune.organisations.models import Organisation

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_found_invite_accept_branches_and_admit(live_server, transactional_db, browser, settings):
    settings.TRIBUNE_FOUNDING = "open"
    base = live_server.url
    make_user("rosa"), make_user("sami"), make_user("zoe")

    rosa = browser.new_context().new_page()
    _log_in(rosa, base, "rosa@test.org")
    rosa.goto(f"{base}/")
    rosa.click("text=Found an organisation")
    rosa.click("article:has-text('Trade union') >> text=Start from this")
    rosa.fill("#id_name", "Bakers' Union")
    rosa.fill("#id_slug", "bakers")
    rosa.fill("#id_founder_name", "Rosa Romero")
    rosa.fill("#id_branches", "North bakery\nSouth bakery")
    rosa.fill("#id_committee", "sami@test.org")
    rosa.fill("#id_c_term_limit", "2")
    rosa.click("text=Found the organisation")
    rosa.wait_for_selector("text=Bakers' Union is founded")
    organisation = Organisation.objects.get(slug="bakers")
    assert organisation.current_constitution().term_limit == 2
    assert set(organisation.branches.exclude(parent=None).values_list("name", flat=True)) == {
        "North bakery",
        "South bakery",
    }

    sami = browser.new_context().new_page()
    _log_in(sami, base, "sami@test.org")
    sami.goto(f"{base}/")
    sami.click("text=You are invited to found an organisation.")
    sami.fill("#id_name", "Sami Sato")
    sami.click("text=Accept and take the seat")
    sami.wait_for_selector("text=You are a founding member of Bakers' Union")
    assert Member.objects.get(organisation=organisation, name="Sami Sato").in_good_standing

    zoe = browser.new_context().new_page()
    _log_in(zoe, base, "zoe@test.org")
    zoe.goto(f"{base}/o/bakers/join/")
    zoe.fill("#id_name", "Zoe Mensah")
    zoe.select_option("#id_branch", label="North bakery (regional)")
    zoe.click("text=Send my application")
    zoe.wait_for_selector("text=your application is in")

    rosa.goto(f"{base}/o/bakers/applications/")
    rosa.click("button[aria-label='Admit Zoe Mensah']")
    rosa.wait_for_selector("text=Zoe Mensah is admitted")
    assert Member.objects.get(organisation=organisation, name="Zoe Mensah").standing == (
        Standing.GOOD
    )

    # The structure: an executive of five by STV, a secretary by instant-runoff.
    rosa.goto(f"{base}/o/bakers/")
    rosa.click("text=The bodies and offices, and how they are set up")
    rosa.fill("#id_name", "Executive")
    rosa.select_option("#id_kind", "committee")
    rosa.click("text=Set up this body")
    rosa.wait_for_selector("text=Version 2 of the constitution records the change")
    rosa.goto(f"{base}/o/bakers/constitution/structure/")
    for title, seats, method in (
        ("Executive member", "5", "scottish-stv"),
        ("Secretary", "1", "irv"),
    ):
        rosa.select_option("#id_body", label="Executive")
        rosa.fill("#id_title", title)
        rosa.fill(
            "#id_mandate", f"The {title.lower()}'s mandate: carry out the members' decisions."
        )
        rosa.fill("#id_seats", seats)
        rosa.select_option("#id_method", method)
        rosa.click("text=Set up this office")
        rosa.wait_for_selector(f"text=the office “{title}”")
        rosa.goto(f"{base}/o/bakers/constitution/structure/")
    executive = Office.objects.get(body__organisation=organisation, title="Executive member")
    assert (executive.seats, executive.method) == (5, Method.SCOTTISH_STV)
    tasks.election_clock.call_local()  # the minute's tick, as the task worker runs it
    rosa.goto(f"{base}/o/bakers/")
    panel = rosa.locator("section.transition")
    for title in ("Executive member", "Secretary"):
        assert (
            "nominations open" in panel.locator(f"li:has-text('{title} (Executive)')").inner_text()
        )
    elections = Election.objects.filter(organisation=organisation, office__body__name="Executive")
    assert {(e.office.title, e.method, e.seats) for e in elections} == {
        ("Executive member", Method.SCOTTISH_STV, 5),
        ("Secretary", Method.IRV, 1),
    }
