"""The member's home and the site's frame, in a real browser, as the demo's people.

Ben (a member) lands on his home after logging in and finds the vote open to him
and the recall petition he may sign; Ana (the branch secretary) finds the
applications waiting for her decision; at 390 px wide neither the home nor an
election's result scrolls sideways, and the menu opens without a script.
"""

import os

import pytest
from django.conf import settings

from tribune.elections.models import Election, Kind, Status
from tribune.members.services import apply_for_membership

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", settings.TRIBUNE_DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _shot(page, name: str) -> None:
    """A full-page screenshot into $TRIBUNE_SCREENSHOTS, when it is set (to look, not to test)."""
    folder = os.environ.get("TRIBUNE_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def _overflow(page) -> int:
    """How far the page reaches past the window's right edge, in CSS pixels."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _wide(page) -> list[str]:
    """The elements reaching past the right edge (to say what to fix when one does)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .filter(e => { for (let p = e.parentElement; p; p = p.parentElement) {
              const x = getComputedStyle(p).overflowX;
              if (x === 'auto' || x === 'scroll' || x === 'hidden') return false; }
            return true; })
          .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"""
    )


@pytest.fixture
def demo(transactional_db):
    from tribune.organisations.demo import create_demo

    org = create_demo(members=80)  # the fewest the demo is built for
    apply_for_membership(
        org,
        user=None,
        name="Zoe Mensah",
        email="zoe@example.org",
        branch=org.branches.get(slug="millbrook"),
    )
    return org


def test_homes_of_a_member_and_an_officer_at_phone_width(live_server, demo, browser):
    base = live_server.url
    vote = Election.objects.get(organisation=demo, status=Status.VOTING, kind=Kind.OFFICE)

    ben = browser.new_context(viewport=PHONE).new_page()
    _log_in(ben, base, "ben@example.org")
    needs = ben.locator("ul.needs")
    assert vote.title in needs.inner_text()
    assert "Vote" in needs.locator("[data-kind=vote]").first.inner_text()
    recall = needs.locator("[data-kind=recall]")
    assert "Recall petition you may sign" in recall.inner_text()
    assert "UTC" in needs.inner_text()  # every deadline names its time zone
    assert _overflow(ben) <= 0, _wide(ben)
    _shot(ben, "home-390")
    # One click to the petition, which says until when it collects signatures.
    recall.locator("a").click()
    ben.wait_for_selector("text=Open for signatures until")
    assert "Committee member" in ben.inner_text("h1")
    assert "Sign the petition" in ben.content()
    # The menu: folded on a phone, opened with a tap, no script needed.
    menu = ben.locator("details.menu")
    assert not ben.locator("details.menu >> text=Constitution").is_visible()
    menu.locator("summary").click()
    assert ben.locator("details.menu >> text=Constitution").is_visible()
    # An election's result, with its stage table, fits the phone: the table scrolls alone.
    past = Election.objects.get(
        organisation=demo, status=Status.CERTIFIED, office__title="Committee member"
    )
    ben.goto(f"{base}{past.get_absolute_url()}")
    ben.wait_for_selector("#result")
    assert ben.locator("svg[aria-labelledby=stv-chart-title]").count() == 1  # the count, drawn
    assert ben.locator("#turnout-chart svg[role=img]").count() == 1  # and its days
    _shot(ben, "stv-result-390")
    assert _overflow(ben) <= 0, _wide(ben)

    ana = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _log_in(ana, base, "ana@example.org")
    officer = ana.locator("ul.needs [data-kind=applications]")
    assert "Membership applications to decide" in officer.inner_text()
    officer.locator("a").click()
    ana.wait_for_selector("text=Zoe Mensah")
    # On a wide screen every group of the menu is in sight without opening it.
    assert ana.locator("details.menu >> text=Constitution").is_visible()
    ana.goto(f"{base}/")
    _shot(ana, "officer-home-1280")

    # What `make screenshots` shows, at both widths: the home, an STV result, the
    # ballot, the congress (the live panel first) and the hall's projector.
    from tribune.assemblies.models import Assembly

    congress = Assembly.objects.filter(organisation=demo).order_by("-starts_at").first()
    pages = {
        "home": "/",
        "stv-result": past.get_absolute_url(),
        "ballot": vote.get_absolute_url(),
        "congress": congress.get_absolute_url(),
        "projector": f"{congress.get_absolute_url()}projector/",
    }
    for name, path in pages.items():
        for who, width in ((ben, "390"), (ana, "1280")):
            who.goto(f"{base}{path}")
            who.wait_for_load_state()
            if who is ben and name != "projector":  # the projector is for the hall's screen
                assert _overflow(ben) <= 0, (name, _wide(ben))
            _shot(who, f"{name}-{width}")
    ben.goto(f"{base}{vote.get_absolute_url()}")
    assert ben.locator("form button:has-text('Cast my secret ballot')").count() == 1
