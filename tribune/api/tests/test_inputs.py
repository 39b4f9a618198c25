"""Bad input is a 4xx naming the field, never a 500 — on SQLite and on PostgreSQL alike.

Each case here was a server error (or, on PostgreSQL, would be) before
``tribune.lib.inputs``: the API and the forms now apply the same limits.
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tribune.accounts.models import ApiToken
from tribune.debate.models import Thread
from tribune.elections import services as elections
from tribune.elections.models import Ballot, Election
from tribune.lib.errors import RuleViolation
from tribune.members.models import ImportJob, Member

ORG = "/api/v1/organisations/test-union"
HUGE_ID = "1" * 30


@pytest.fixture
def ana(world):
    _token, secret = ApiToken.issue(world.users["ana"], "script")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def dana(world):
    _token, secret = ApiToken.issue(world.users["dana"], "script")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post_raw(path: str, headers: dict, body: str):
    """POST a body exactly as written: Python's json.dumps cannot write Infinity or "\\ud800"."""
    return Client().post(f"{ORG}{path}", body, content_type="application/json", **headers)


def detail(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return {d["field"]: d["reason"] for d in response.json()["detail"]}


# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "escaped, field",
    [
        (r"\ud800", "text"),  # a lone surrogate: cannot be encoded, a 500 on both backends
        (r"\u0000", "text"),  # NUL: stored by SQLite, a 500 on PostgreSQL
        (r"\ufffe", "text"),  # a Unicode non-character
    ],
)
def test_unstorable_characters_in_a_debate_post_are_refused(world, ana, escaped, field):
    body = f'{{"title": "On dues", "text": "Dues {escaped} should fall."}}'
    refused = post_raw("/debate/threads", ana, body)
    assert refused.status_code == 400
    assert detail(refused) == {field: "Remove the invalid character at position 6."}
    assert not Thread.objects.exists()


def test_a_title_longer_than_its_field_is_refused_naming_the_field(world, ana):
    refused = post_raw("/debate/threads", ana, json.dumps({"title": "x" * 100_000, "text": "Hi"}))
    assert refused.status_code == 400
    assert detail(refused) == {"title": "At most 300 characters, please; this has 100,000."}
    assert not Thread.objects.exists()


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u3164", " \u2060 ", "\u115f\u0301"])
def test_an_invisible_name_is_refused(world, ana, name):
    refused = post_raw("/factions", ana, json.dumps({"name": name, "platform": "Our aims."}))
    assert refused.status_code == 400
    assert detail(refused) == {"name": "Use at least one visible character."}


def test_a_lone_surrogate_in_an_import_is_refused(world, dana):
    csv = "name,email,branch\\nZo\\udc80e,zoe@test.org,millbrook\\n"
    refused = post_raw("/imports", dana, f'{{"csv": "{csv}", "filename": "list.csv"}}')
    assert refused.status_code == 400
    assert detail(refused) == {"csv": "Remove the invalid character at position 21."}
    assert not ImportJob.objects.exists()


def test_an_import_row_too_long_for_its_field_is_rejected_with_its_line(world, dana):
    csv = f"name,email,branch\n{'Z' * 201},zoe@test.org,millbrook\nYan,yan@test.org,millbrook\n"
    checked = post_raw("/imports", dana, json.dumps({"csv": csv, "filename": "list.csv"}))
    assert checked.status_code == 201
    reason = "name: At most 200 characters, please; this has 201."
    assert checked.json()["rejected"] == [{"line": 2, "email": "zoe@test.org", "reason": reason}]


# --- numbers --------------------------------------------------------------------------------


@pytest.fixture
def voting(world, office):
    """Ben and Cam stand for Secretary, and voting is open."""
    election = elections.call_election(world.ana, office=office)
    for member in (world.ben, world.cam):
        candidacy = elections.nominate(world.ana, election, member)
        elections.accept_nomination(member, candidacy)
    election = elections.advance(election, election.voting_open_at)
    Election.objects.filter(pk=election.pk).update(
        voting_open_at=timezone.now() - timedelta(minutes=1)
    )
    return election


@pytest.mark.parametrize("choice", ["Infinity", "-Infinity", "NaN", "1e999", "[Infinity]"])
def test_infinity_in_a_ballot_is_refused(world, voting, ana, choice):
    refused = post_raw(f"/elections/{voting.pk}/ballots", ana, f'{{"choice": {choice}}}')
    assert refused.status_code == 400
    assert set(detail(refused)) == {"__all__"}
    assert not Ballot.objects.exists()


def test_infinity_in_a_ranking_is_refused_by_the_domain_too(world, voting):
    with pytest.raises(RuleViolation, match="A ranking lists candidates."):
        elections.validate_choice(voting, [float("inf")])


def test_infinity_in_a_ranking_of_motions_is_refused_by_the_domain():
    from tribune.assemblies.services import _check_ranking

    with pytest.raises(RuleViolation, match="A ranking lists motions by their number."):
        _check_ranking(None, [float("inf")])  # refused before the vote is looked at


def test_a_huge_number_in_a_body_is_refused(world, office, ana):
    election = elections.call_election(world.ana, office=office)
    refused = post_raw(f"/elections/{election.pk}/candidacies", ana, f'{{"member_id": {HUGE_ID}}}')
    assert refused.status_code == 400
    assert detail(refused) == {"member_id": "This number is too large."}


@pytest.mark.parametrize("path", ["/members", "/debate/threads"])
def test_a_huge_offset_is_refused(world, ana, path):
    refused = Client().get(f"{ORG}{path}?offset={HUGE_ID}", **ana)
    assert refused.status_code == 422
    assert "offset" in detail(refused)
    assert Client().get(f"{ORG}{path}?limit=-1", **ana).status_code == 422


@pytest.mark.parametrize(
    "seats, reason",
    [
        (-1, "Give a whole number from 1 to 1000."),
        (0, "Give a whole number from 1 to 1000."),
        (10**12, "Give a whole number from 1 to 1000."),
    ],
)
def test_seats_out_of_range_are_refused(world, office, ana, seats, reason):
    body = json.dumps({"office_id": office.pk, "seats": seats})
    refused = post_raw("/elections", ana, body)
    assert refused.status_code == 400
    assert detail(refused) == {"seats": reason}
    assert not Election.objects.exists()


def test_a_start_in_year_9999_is_refused(world, office, ana):
    body = json.dumps({"office_id": office.pk, "starts_at": "9999-12-31T00:00:00Z"})
    refused = post_raw("/elections", ana, body)
    assert refused.status_code == 400
    assert detail(refused) == {"starts_at": "Give a date between the years 1000 and 2999."}
    assert not Election.objects.exists()


# --- ids in paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/elections/{HUGE_ID}",
        f"/members/{HUGE_ID}",
        f"/debate/threads/{HUGE_ID}",
        f"/recalls/{HUGE_ID}",
        f"/assemblies/{HUGE_ID}",
        f"/programme/versions/1/diff?against={HUGE_ID}",
    ],
)
def test_a_30_digit_id_in_a_path_is_not_found(world, ana, path):
    missing = Client().get(f"{ORG}{path}", **ana)
    assert missing.status_code == 404
    assert detail(missing) == {"__all__": "Not found."}


def test_a_nul_in_a_path_or_query_is_not_a_server_error(world, ana):
    assert Client().get("/api/v1/organisations/test%00union/bodies").status_code == 404
    refused = Client().get(f"{ORG}/members?branch=north%00", **ana)
    assert refused.status_code == 400
    assert detail(refused) == {"branch": "Remove the invalid character at position 6."}


def test_the_schema_documents_every_refusal_of_every_operation(world):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            missing = {"400", "401", "403", "404", "422", "429"} - {str(s) for s in documented}
            assert not missing, f"{method.upper()} {path} does not document {missing}"


def test_an_unreadable_body_is_an_error_in_the_api_shape(world, ana):
    refused = post_raw("/debate/threads", ana, "{not json")
    assert refused.status_code == 400
    assert detail(refused) == {"__all__": "Cannot parse request body"}


def test_nothing_refused_here_was_half_written(world):
    assert Member.objects.filter(organisation=world.org).count() == 5
