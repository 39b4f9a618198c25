"""Each version's changes, shown for people: the rules that differ and the preamble's words."""

from decimal import Decimal

from django.test import Client

from tribune.constitution.models import ConstitutionVersion
from tribune.constitution.services import adopt


def _amend(organisation, **changes) -> ConstitutionVersion:
    return adopt(organisation, changes, how="Adopted by members' vote: test")


def test_the_diff_page_names_each_changed_rule_and_marks_the_preamble(world):
    _amend(
        world.org,
        term_limit=3,
        quorum_percent=Decimal("15"),
        preamble="Every office is held in trust by the members.",
    )
    page = Client().get("/o/test-union/constitution/diff/1/2/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Term limit (consecutive terms)" in html
    assert "<del>2</del>" in html and "<ins>3</ins>" in html
    assert "<del>10</del>" in html and "<ins>15</ins>" in html
    assert "<ins>" in html.split("Preamble")[1]
    assert "@@" not in html
    assert "Recall threshold" not in html  # unchanged rules are not listed


def test_the_constitution_page_links_each_version_to_its_changes_and_says_how_to_amend(world):
    _amend(world.org, term_limit=3)
    html = Client().get("/o/test-union/constitution/").content.decode()
    assert "/o/test-union/constitution/diff/1/2/" in html
    assert "How to change these rules" in html
    assert "2/3 of the yes and no votes" in html
    assert "Branch secretary" in html  # ana's office may call the referendum


def test_the_api_gives_the_same_comparison(world):
    _amend(world.org, faction_threshold=4)
    body = Client().get("/api/v1/organisations/test-union/constitution/versions/2/diff").json()
    assert body["old"] == 1 and body["new"] == 2
    assert body["rules"] == [
        {
            "field": "faction_threshold",
            "label": "faction founding threshold (members)",
            "before": "3",
            "after": "4",
        }
    ]
    assert body["preamble_changed"] is False
    missing = Client().get(
        "/api/v1/organisations/test-union/constitution/versions/2/diff?against=9"
    )
    assert missing.status_code == 404
