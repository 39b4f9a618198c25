"""A member pledges; the threshold is reached in another browser; her page shows it unreloaded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tribune.struggles.services import pledges

pytestmark = pytest.mark.browser


def _log_in(browser, base: str, short: str):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", f"{short}@test.org")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_the_trigger_reaches_an_open_page_without_reloading(
    live_server, live_world, live_organiser, browser
):
    base, org = live_server.url, live_world.org
    pledge = pledges.create_pledge(
        live_organiser,
        org,
        action="withhold our rent",
        threshold=2,
        deadline=timezone.now() + timedelta(days=3),
    )
    url = f"{base}/o/{org.slug}/pledges/{pledge.pk}/"

    ben = _log_in(browser, base, "ben")
    ben.goto(url)
    ben.click("button:has-text('I pledge to act')")
    ben.wait_for_selector("text=You have pledged.")
    ben.wait_for_selector("text=1 of 2 have pledged")
    loads = []
    ben.on("load", lambda _page: loads.append(1))

    cam = _log_in(browser, base, "cam")
    cam.goto(url)
    cam.click("button:has-text('I pledge to act')")
    cam.wait_for_selector("[data-state=triggered]")

    # Ben's page, untouched, shows the trigger within a few polls.
    ben.wait_for_selector("[data-state=triggered]", timeout=15000)
    assert "2 of 2 have pledged" in ben.inner_text("#pledge-count")
    assert loads == []  # no reload: the count was swapped in place
    # The page fits a phone: nothing wider than the viewport.
    assert ben.evaluate("document.documentElement.scrollWidth") <= 390


def test_planning_pages_and_tasks_fit_a_phone(live_server, live_world, live_organiser, browser):
    from tribune.struggles.services import events, tasks

    base, org = live_server.url, live_world.org
    start = timezone.now() + timedelta(days=2)
    picket = events.create_event(
        live_organiser,
        org,
        title="Picket at the depot gate",
        kind="picket",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="Depot gate, Canal Street",
    )
    tasks.create_task(
        live_organiser,
        org,
        event=picket,
        title="First shift on the gate, with the banner and the leaflets",
        min_people=3,
        max_people=8,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    ana = _log_in(browser, base, "ana")
    for path in ("pledges/new/", "events/new/", "tasks/new/", f"events/{picket.pk}/"):
        ana.goto(f"{base}/o/{org.slug}/{path}")
        assert ana.evaluate("document.documentElement.scrollWidth") <= 390, path
    ana.click('button:has-text("I\'ll do it")')
    ana.wait_for_selector("text=You are doing this.")
