"""The network's, the coalition's and an organisation's networks pages, as people see them.

In Chromium at 390 px, on the demo (built once: the People's Union and the Tenants'
League in the Housing Justice Network, the Rent Freeze Coalition with its pledge), as a
visitor, Ben (an ordinary member of the Union) and Ana (who holds its Network delegate
office): nothing reaches past the right edge; each sees only the forms it may use (the
network's and coalition's own pages are read-only; the Union's page offers the invite and
ratify forms to Ana alone); no code word is on screen (a registry key, a state's code, an
address with its identifier); and the coalition pledge shows its total drawn as a bar.
"""

import os
import re

import pytest
from django.conf import settings

from tribune.web.tests.test_plain_words import code_words, found_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


@pytest.fixture
def demo(transactional_db):
    from tribune.organisations.demo import create_demo

    return create_demo(members=80)  # the fewest the demo is built for


def _log_in(browser, base: str, email: str | None):
    page = browser.new_context(viewport=PHONE).new_page()
    if email:
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_login", email)
        page.fill("#id_password", settings.TRIBUNE_DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _shot(page, name: str) -> None:
    """A full-page screenshot into $TRIBUNE_SCREENSHOTS, when it is set (to look, not to test)."""
    folder = os.environ.get("TRIBUNE_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def _overflow(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def _forms(page) -> list[str]:
    """Where the forms of the page post to (read as an attribute: a field may be named action)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main form[method=post], main form[method=POST]')]
          .map(f => f.getAttribute('action'))"""
    )


def test_network_pages_at_phone_width_as_visitor_member_and_delegate(live_server, demo, browser):
    from tribune.networks.models import Coalition

    base = live_server.url
    union = demo
    coalition = Coalition.objects.get(slug="rent-freeze")
    (pledge,) = coalition.pledges.all()
    pages = {
        "network": f"{base}/networks/housing-justice/",
        "coalition": f"{base}/coalitions/rent-freeze/",
        "ours": f"{base}/o/{union.slug}/networks/",
    }
    words = code_words()
    problems = []
    seen_forms = {}
    for who, email in (("visitor", None), ("ben", "ben@example.org"), ("ana", "ana@example.org")):
        page = _log_in(browser, base, email)
        for name, url in pages.items():
            response = page.goto(url)
            assert response.status == 200, (who, name)
            if _overflow(page) > 0:
                problems.append(f"{who}: {name} overflows 390 px by {_overflow(page)} px")
            shown = page.inner_text("main")
            codes = found_in(shown, words)
            if codes:
                problems.append(f"{who}: {name} shows code words {codes}")
            if UUID.search(shown) or "https://" in shown or "http://" in shown:
                problems.append(f"{who}: {name} shows an address with its identifier")
            seen_forms[who, name] = _forms(page)
            _shot(page, f"{name}-{who}-390")
        # The coalition pledge: its total drawn as a bar, named for a screen reader.
        page.goto(pages["coalition"])
        bar = page.locator("main progress")
        assert bar.count() == 1 and bar.is_visible(), who
        assert bar.get_attribute("value") == str(pledge.percent)
        assert f"{pledge.total} of {pledge.threshold}" in (bar.get_attribute("aria-label") or "")
        page.goto(pages["ours"])
        assert page.locator("main progress").first.is_visible(), who
        # The demand's place in the programme, by its title, linked to that section.
        link = page.get_by_role("link", name="Housing", exact=True)
        assert link.get_attribute("href").endswith("/programme/#section-housing"), who
        page.context.close()
    assert problems == [], "\n".join(problems)
    # The network's and the coalition's pages are read-only for everyone.
    for who in ("visitor", "ben", "ana"):
        assert seen_forms[who, "network"] == [] and seen_forms[who, "coalition"] == [], who
    # On the Union's page only its delegate is offered the forms: a member, a visitor none.
    assert seen_forms["visitor", "ours"] == [] and seen_forms["ben", "ours"] == []
    ana = seen_forms["ana", "ours"]
    assert any(a.endswith("/housing-justice/invite/") for a in ana), ana
    assert any(a.endswith("/rent-freeze/decide/") for a in ana), ana
    assert any(a.endswith("/housing-justice/leave/") for a in ana), ana
    # What the Union shares (the demo's rent strike, events and leaflet) it can stop sharing.
    assert any(a.endswith("/rent-freeze/unshare/") for a in ana), ana
    assert any(a.endswith("/housing-justice/undocument/") for a in ana), ana
