"""The pages refuse bad input as the API does: a form error or a 404, never a 500.

The same rules (``tribune.lib.inputs``) hold behind both, so a name the API
refuses is refused by the page, and an id that names nothing is "not found".
"""

import pytest
from django.test import Client

from tribune.elections.models import Election
from tribune.factions.models import Faction
from tribune.lib.errors import NotFound
from tribune.lib.inputs import object_id

ORG = "/o/test-union"
HUGE_ID = "1" * 30


def as_(world, short: str) -> Client:
    client = Client()
    client.force_login(world.users[short])
    return client


@pytest.mark.parametrize("raw", ["abc", "", None, "-1", "1.5", HUGE_ID, "١٢"])
def test_a_posted_id_that_names_nothing_is_not_found(raw):
    with pytest.raises(NotFound):
        object_id(raw)
    assert object_id(" 12 ") == 12


@pytest.mark.parametrize("term", ["abc", HUGE_ID])
def test_a_report_on_term_abc_is_not_found(world, office, term):
    page = as_(world, "ana").post(f"{ORG}/offices/{office.pk}/report/", {"term": term, "text": "x"})
    assert page.status_code == 404


@pytest.mark.parametrize("term", ["abc", HUGE_ID])
def test_a_recall_of_term_abc_is_not_found(world, office, term):
    page = as_(world, "ben").post(f"{ORG}/offices/{office.pk}/recall/", {"term": term})
    assert page.status_code == 404


def test_revoking_token_abc_is_not_found(world):
    assert as_(world, "ana").post("/account/tokens/", {"revoke": "abc"}).status_code == 404


def test_deciding_appeal_abc_is_not_found(world):
    page = as_(world, "eli").post(f"{ORG}/appeals/", {"appeal": "abc", "upheld": "1"})
    assert page.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"{ORG}/members/{HUGE_ID}/",
        f"{ORG}/elections/{HUGE_ID}/",
        f"{ORG}/members/{HUGE_ID}/suspend/",
        f"{ORG}/recalls/{HUGE_ID}/sign/",
    ],
)
def test_a_30_digit_id_in_a_page_address_is_not_found(world, path):
    assert as_(world, "ana").get(path).status_code == 404


def test_a_nul_in_a_page_address_is_refused(world):
    assert as_(world, "ana").get(f"{ORG}/debate/?branch=north%00").status_code == 400


def test_a_start_in_year_9999_is_a_form_error(world, office):
    page = as_(world, "ana").post(
        f"{ORG}/elections/call/",
        {"kind": "office", "office": office.pk, "starts_at": "9999-12-31T00:00:00"},
    )
    assert page.status_code == 400
    assert page.context["form"].errors["starts_at"] == [
        "Give a date between the years 1000 and 2999."
    ]
    assert not Election.objects.exists()


def test_an_invisible_faction_name_is_a_form_error_as_in_the_api(world):
    page = as_(world, "ben").post(
        f"{ORG}/propose-faction/", {"name": "\u200b\u3164", "platform": "Our aims."}
    )
    assert page.status_code == 400
    assert page.context["form"].errors["name"] == ["Use at least one visible character."]
    assert not Faction.objects.exists()
