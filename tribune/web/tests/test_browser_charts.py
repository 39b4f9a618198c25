"""The charts at phone width, in a real browser: turnout by day, membership over time.

Each is drawn by the server as SVG with its figures in a table beside it; at 390 px
neither the picture nor its table pushes the page sideways.
"""

import pytest
from django.db.models import Count, Q

from tribune.elections.models import Election, Status
from tribune.members.models import Standing
from tribune.organisations.models import Branch
from tribune.web.tests.test_browser_home import PHONE, _overflow, _shot, _wide

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    from tribune.organisations.demo import create_demo

    return create_demo(members=80)


def test_turnout_and_membership_charts_fit_a_phone(live_server, demo, browser):
    base = live_server.url
    page = browser.new_context(viewport=PHONE).new_page()  # anyone: these figures are public
    past = Election.objects.get(
        organisation=demo, status=Status.CERTIFIED, office__title="Committee member"
    )
    branch = (
        Branch.objects.filter(organisation=demo)
        .annotate(n=Count("members", filter=Q(members__standing=Standing.GOOD)))
        .order_by("-n")
        .first()
    )
    checks = {
        "turnout": (past.get_absolute_url(), "#turnout-chart"),
        "membership-organisation": (demo.get_absolute_url(), "#membership-chart"),
        "membership-branch": (branch.get_absolute_url(), "#membership-chart"),
    }
    for name, (path, chart) in checks.items():
        page.goto(f"{base}{path}")
        page.wait_for_selector(f"{chart} svg[role=img]")
        assert page.locator(f"{chart} table.chart-data tbody tr").count() >= 1, name
        box = page.locator(f"{chart} svg").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
        assert _overflow(page) <= 0, (name, _wide(page))
        _shot(page, f"chart-{name}-390")
    # The turnout's last figure is the whole turnout, as a share of the roll.
    page.goto(f"{base}{past.get_absolute_url()}")
    last = page.locator("#turnout-chart table.chart-data tbody tr").last.inner_text()
    assert f"({past.turnout}, +" in last
