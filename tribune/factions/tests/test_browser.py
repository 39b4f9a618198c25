"""Founding a faction and joining it privately, in real browsers (one context per person).

Founders sign → the faction is registered → its convenor publishes a new
platform version → a member joins privately → her faction is not on her
public profile as another member sees it, while the faction page shows it to her.
"""

import pytest

from conftest import PASSWORD
from tribune.factions.models import Faction, FactionStatus, Visibility

pytestmark = pytest.mark.browser


def _log_in(browser, base: str, short: str):
    page = browser.new_context().new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", f"{short}@test.org")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_found_publish_join_privately_and_stay_off_the_public_profile(
    live_server, live_world, browser
):
    base, org, world = live_server.url, live_world.org, live_world

    # 1. Ben proposes the faction from the factions page; he signs first.
    ben = _log_in(browser, base, "ben")
    ben.goto(f"{base}/o/{org.slug}/")
    ben.click("nav >> text=Factions")
    ben.click("text=Propose a faction")
    ben.fill("#id_name", "Rent Control Now")
    ben.fill("#id_platform", "## For rent control\n\nA legal cap on rents.")
    ben.click("text=Propose and sign")
    ben.wait_for_selector("text=1 of 3 signatures")
    faction_url = ben.url

    # 2. Cam and Eli sign; the third signature registers it.
    for short, outcome in (("cam", "2 of 3 signatures"), ("eli", "the faction is registered")):
        page = _log_in(browser, base, short)
        page.goto(faction_url)
        page.click("button:has-text('Sign the founding')")
        page.wait_for_selector(f"text={outcome}")
    faction = Faction.objects.get(organisation=org, slug="rent-control-now")
    assert faction.status == FactionStatus.REGISTERED

    # 3. Ben, the provisional convenor, publishes a second version of the platform.
    ben.goto(faction_url)
    ben.click("text=Publish a new version of the platform")
    ben.fill("#id_text", "## For rent control\n\nA legal cap on rents, and repairs.")
    ben.click("text=Publish the new version")
    ben.wait_for_selector("text=Version 2 of the platform is published.")
    assert "and repairs" in ben.inner_text("article.platform")
    assert faction.platform_versions.count() == 2

    # 4. Ana joins privately.
    ana = _log_in(browser, base, "ana")
    ana.goto(faction_url)
    ana.check("input[name=visibility][value=private]")
    ana.click("text=Join the faction")
    ana.wait_for_selector("text=You belong to this faction privately")
    assert faction.memberships.get(member=world.ana).visibility == Visibility.PRIVATE
    # The faction page shows her membership to her, in the members list too.
    assert "Ana" in ana.inner_text("ul.members")

    # 5. From Cam's browser: Ana's public profile names no faction; the faction page hides her.
    cam = _log_in(browser, base, "cam")
    cam.goto(f"{base}/o/{org.slug}/members/{world.ana.pk}/")
    cam.wait_for_selector("h1:has-text('Ana')")
    assert "Rent Control Now" not in cam.content()
    cam.goto(faction_url)
    assert "Ana" not in cam.inner_text("section[aria-labelledby=members]")
    # ...and Ana's own view of her public profile does not show it either.
    ana.goto(f"{base}/o/{org.slug}/members/{world.ana.pk}/")
    assert "Rent Control Now" not in ana.content()
