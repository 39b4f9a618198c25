"""Amending the structure by referendum, in a real browser.

The members adopted an executive committee with a secretary. Ana, whose
mandate includes calling votes, proposes a treasurer from the structure's page:
it becomes a referendum showing what it would change. Ben votes yes in his
browser, the others too; when voting closes the count is certified by rule,
and the constitution page shows the new version and, on its comparison page,
the office added.
"""

import pytest

from conftest import PASSWORD
from tribune.constitution import services
from tribune.constitution import structure as structures
from tribune.elections import services as elections
from tribune.elections.models import Election, Kind, Status

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_amend_the_structure_by_referendum(live_server, live_world, browser):
    world, base = live_world, live_server.url
    version = world.org.current_constitution()
    structure, key = structures.add_body([], name="Executive committee", kind="committee")
    structure, _ = structures.put_office(
        structure, version, key, title="Secretary", mandate="Keep the records."
    )
    adopted = services.adopt(world.org, {"structure": structure}, how="Adopted by members' vote")

    ana = browser.new_context().new_page()
    _log_in(ana, base, "ana@test.org")
    ana.goto(f"{base}/o/test-union/constitution/structure/")
    ana.wait_for_selector("text=put to the members in a referendum")
    ana.select_option("#id_body", label="Executive committee")
    ana.fill("#id_title", "Treasurer")
    ana.fill("#id_mandate", "Keep the accounts and report them to every congress.")
    ana.click("text=Put this office to a referendum")
    ana.wait_for_selector("text=What this amendment changes")
    changes = ana.inner_text("section[aria-labelledby=amendment]")
    assert "Added" in changes and "Treasurer" in changes and "Keep the accounts" in changes
    election = Election.objects.get(organisation=world.org, kind=Kind.AMENDMENT)
    assert world.org.current_constitution().number == adopted.number  # not until adopted

    ben = browser.new_context().new_page()
    _log_in(ben, base, "ben@test.org")
    ben.goto(f"{base}{election.get_absolute_url()}")
    ben.check("input[value=yes]")
    ben.click("text=Cast my secret ballot")
    ben.wait_for_selector("text=Your vote is cast")
    for member in (world.ana, world.cam, world.dana):
        elections.cast_ballot(member, Election.objects.get(pk=election.pk), "yes")
    closed = elections.advance(Election.objects.get(pk=election.pk), election.voting_close_at)
    assert closed.status == Status.CERTIFIED and closed.passed

    ana.goto(f"{base}/o/test-union/constitution/")
    ana.wait_for_selector(f"text=Constitution of Test Union, version {adopted.number + 1}")
    assert "Keep the accounts" in ana.inner_text("#structure ~ section")
    ana.click("a:has-text('what changed') >> nth=0")
    ana.wait_for_selector("text=Constitution: what changed")
    page = ana.inner_text("main")
    assert "the office “Treasurer” of the Executive committee" in page
