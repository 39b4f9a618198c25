"""The HTTP API: same rules as the web UI, and every refusal is 4xx JSON naming field and reason."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tribune.accounts import usage
from tribune.accounts.models import ApiToken
from tribune.members.models import Member, Standing
from tribune.members.services import apply_for_membership

API = "/api/v1"
ORG = f"{API}/organisations/test-union"


@pytest.fixture
def fay(world):
    return apply_for_membership(
        world.org, user=None, name="Fay", email="fay@test.org", branch=world.millbrook
    )


def reasons(response) -> dict:
    return {d["field"]: d["reason"] for d in response.json()["detail"]}


# Schema and public records


def test_openapi_schema_is_served_and_lists_the_paths(world):
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/organisations/{slug}/members",
        "/api/v1/organisations/{slug}/constitution",
        "/api/v1/organisations/{slug}/bodies",
        "/api/v1/organisations/{slug}/audit/verify",
        "/api/v1/organisations/{slug}/imports",
    ):
        assert path in paths


def test_organisations_and_branches_are_public(world):
    client = Client()
    assert [o["slug"] for o in client.get(f"{API}/organisations/").json()] == ["test-union"]
    detail = client.get(ORG).json()
    assert detail["members"] == 5
    assert {b["slug"] for b in detail["branches"]} >= {"north", "south", "millbrook"}
    millbrook = next(b for b in client.get(f"{ORG}/branches").json() if b["slug"] == "millbrook")
    assert millbrook["members"] == 2
    assert millbrook["parent_id"] == world.north.pk


def test_unknown_organisation_is_404_json(world, as_):
    response = as_("ben").get(f"{API}/organisations/no-such-union/members")
    assert response.status_code == 404
    assert response.json() == {"detail": [{"field": "__all__", "reason": "Not found."}]}


def test_constitution_and_its_versions(world):
    client = Client()
    current = client.get(f"{ORG}/constitution").json()
    assert (current["number"], current["term_limit"], current["max_term_days"]) == (1, 2, 730)
    assert current["admission_rule"] == "officer"
    versions = client.get(f"{ORG}/constitution/versions").json()
    assert [v["number"] for v in versions] == [1]


def test_bodies_list_offices_with_mandates_and_current_terms(world):
    bodies = Client().get(f"{ORG}/bodies").json()
    offices = {o["title"]: o for b in bodies for o in b["offices"]}
    secretary = offices["Branch secretary"]
    assert "admit_members" in secretary["powers"]
    assert secretary["mandate"]
    assert [t["member_name"] for t in secretary["current_terms"]] == ["Ana"]
    assert [t["member_name"] for t in offices["Membership officer"]["current_terms"]] == ["Dana"]


def test_audit_entries_and_verification_are_public(world):
    client = Client()
    entries = client.get(f"{ORG}/audit", {"limit": 5}).json()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1]["prev_hash"] == entries[0]["hash"]
    later = client.get(f"{ORG}/audit", {"after_seq": 5, "limit": 1}).json()
    assert [e["seq"] for e in later] == [6]
    verification = client.get(f"{ORG}/audit/verify").json()
    assert verification["ok"] is True and verification["broken_seq"] is None
    assert verification["entries"] > 5


# Authentication


def test_anonymous_cannot_list_members(world):
    response = Client().get(f"{ORG}/members")
    assert response.status_code == 401
    assert reasons(response) == {"Authorization": "Log in or send a personal API token."}


def test_a_personal_token_authenticates(world, token_for):
    response = Client().get(f"{ORG}/members", **token_for("ben"))
    assert response.status_code == 200
    assert {m["name"] for m in response.json()} == {"Ana", "Dana", "Eli", "Ben", "Cam"}
    usage.flush()  # uses are written in batches
    assert ApiToken.objects.get(user=world.users["ben"]).last_used_at is not None


def test_a_bad_token_is_401(world):
    response = Client().get(f"{ORG}/members", HTTP_AUTHORIZATION="Bearer trb_not-a-token")
    assert response.status_code == 401
    assert "Authorization" in reasons(response)


def test_a_token_of_a_deactivated_user_is_401(world, token_for):
    headers = token_for("ben")
    get_user_model().objects.filter(username="ben").update(is_active=False)
    assert Client().get(f"{ORG}/members", **headers).status_code == 401


def test_a_session_post_without_csrf_is_refused(world, fay):
    """A page elsewhere must not be able to make Ana's browser admit someone."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["ana"])
    response = client.post(f"{ORG}/applications/{fay.pk}/admit")
    assert response.status_code == 401
    assert reasons(response) == {"Authorization": "Invalid token, or missing CSRF token."}
    fay.refresh_from_db()
    assert fay.standing == Standing.APPLICANT


def test_a_session_post_with_csrf_is_accepted(world, fay):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["ana"])
    client.get("/")  # a page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(f"{ORG}/applications/{fay.pk}/admit", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    fay.refresh_from_db()
    assert fay.standing == Standing.GOOD


def test_a_token_post_needs_no_csrf(world, fay, token_for):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{ORG}/applications/{fay.pk}/admit", **token_for("ana"))
    assert response.status_code == 200
    assert response.json()["standing"] == Standing.GOOD


# Contacts


def test_ben_gets_no_contacts(world, as_):
    members = as_("ben").get(f"{ORG}/members").json()
    cam = next(m for m in members if m["name"] == "Cam")
    assert (cam["email"], cam["phone"], cam["address"]) == (None, None, None)
    one = as_("ben").get(f"{ORG}/members/{world.cam.pk}").json()
    assert one["email"] is None


def test_dana_with_two_factor_gets_contacts(world, as_):
    members = as_("dana").get(f"{ORG}/members").json()
    assert next(m for m in members if m["name"] == "Cam")["email"] == "cam@test.org"
    assert as_("dana").get(f"{ORG}/members/{world.cam.pk}").json()["email"] == "cam@test.org"


def test_dana_without_two_factor_gets_the_list_without_contacts(world, as_):
    """Without a second factor the power over personal data is withheld, not the whole list."""
    world.users["dana"].authenticator_set.all().delete()
    response = as_("dana").get(f"{ORG}/members")
    assert response.status_code == 200
    assert {m["email"] for m in response.json()} == {None}


def test_a_non_member_cannot_list_members(world):
    stranger = get_user_model().objects.create_user(username="zed", email="zed@test.org")
    client = Client()
    client.force_login(stranger)
    response = client.get(f"{ORG}/members")
    assert response.status_code == 403
    assert reasons(response) == {"__all__": "Only members in good standing can see this."}


# Applications


def test_ana_lists_and_admits_applications(world, as_, fay):
    client = as_("ana")
    assert [a["name"] for a in client.get(f"{ORG}/applications").json()] == ["Fay"]
    response = client.post(f"{ORG}/applications/{fay.pk}/admit")
    assert response.status_code == 200
    assert response.json()["standing"] == Standing.GOOD


def test_ben_cannot_admit(world, as_, fay):
    response = as_("ben").post(f"{ORG}/applications/{fay.pk}/admit")
    assert response.status_code == 403
    assert reasons(response)["__all__"].startswith("No current mandate of yours grants the power")
    fay.refresh_from_db()
    assert fay.standing == Standing.APPLICANT


def test_refusing_without_a_reason_names_the_field(world, as_, fay):
    client = as_("ana")
    blank = client.post(
        f"{ORG}/applications/{fay.pk}/refuse", {"reason": " "}, content_type="application/json"
    )
    assert blank.status_code == 400
    assert reasons(blank) == {"reason": "A written reason is required."}
    missing = client.post(
        f"{ORG}/applications/{fay.pk}/refuse", {}, content_type="application/json"
    )
    assert missing.status_code == 422
    assert "reason" in reasons(missing)
    fay.refresh_from_db()
    assert fay.standing == Standing.APPLICANT


def test_applying_by_api(world):
    """A logged-in person without membership applies to a branch by its slug."""
    user = get_user_model().objects.create_user(username="gus", email="gus@test.org")
    client = Client()
    client.force_login(user)
    response = client.post(
        f"{ORG}/applications",
        {"name": "Gus", "branch": "millbrook"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (response.json()["standing"], response.json()["email"]) == ("applicant", "gus@test.org")
    unknown = client.post(
        f"{ORG}/applications",
        {"name": "Gus", "branch": "atlantis"},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    assert reasons(unknown) == {"branch": "Unknown branch."}


def test_unknown_branch_is_refused_before_anything_is_written(world):
    user = get_user_model().objects.create_user(username="gus", email="gus@test.org")
    client = Client()
    client.force_login(user)
    before = Member.objects.count()
    response = client.post(
        f"{ORG}/applications",
        {"name": "Gus", "branch": "atlantis"},
        content_type="application/json",
    )
    assert reasons(response) == {"branch": "Unknown branch."}
    assert Member.objects.count() == before


# Self-service


def test_me_export_resign_and_erase(world, as_):
    client = as_("ben")
    assert client.get(f"{ORG}/me").json()["email"] == "ben@test.org"
    assert client.get(f"{ORG}/me/export").json()["email"] == "ben@test.org"
    assert client.post(f"{ORG}/me/resign").json()["standing"] == Standing.RESIGNED
    assert client.post(f"{ORG}/me/erase").status_code == 204
    world.ben.refresh_from_db()
    assert (world.ben.email, world.ben.user) == ("", None)


# Import

CSV = "name,email,branch\nRosa,rosa@test.org,millbrook\nIvo,not-an-email,north\n"


def test_import_dry_run_then_confirm(world, as_):
    client = as_("dana")
    checked = client.post(f"{ORG}/imports", {"csv": CSV}, content_type="application/json")
    assert checked.status_code == 201
    job = checked.json()
    assert (job["status"], job["rows_to_import"], job["imported"]) == ("checked", 1, 0)
    assert job["rejected"] == [
        {
            "line": 3,
            "email": "not-an-email",
            "reason": "“not-an-email” is not a valid email address",
        }
    ]
    assert not Member.objects.filter(email="rosa@test.org").exists()
    done = client.post(f"{ORG}/imports/{job['id']}/confirm").json()
    assert (done["status"], done["created"], done["imported"]) == ("done", 1, 1)
    assert Member.objects.get(email="rosa@test.org").standing == Standing.GOOD
    again = client.post(f"{ORG}/imports/{job['id']}/confirm")
    assert again.status_code == 400
    assert reasons(again) == {"__all__": "This import has already been started."}


def test_ben_cannot_import(world, as_):
    response = as_("ben").post(f"{ORG}/imports", {"csv": CSV}, content_type="application/json")
    assert response.status_code == 403
    assert "No current mandate of yours grants the power" in reasons(response)["__all__"]


def test_a_malformed_query_parameter_names_the_parameter(world, as_):
    response = as_("ben").get(f"{ORG}/members", {"limit": "lots"})
    assert response.status_code == 422
    assert list(reasons(response)) == ["limit"]


def test_a_negative_offset_is_a_422_not_a_crash(world, as_):
    response = as_("ben").get(f"{ORG}/members", {"offset": -1})
    assert response.status_code == 422
    assert list(reasons(response)) == ["offset"]


def test_members_of_one_branch(world, as_):
    members = as_("ben").get(f"{ORG}/members", {"branch": "millbrook"}).json()
    assert [m["name"] for m in members] == ["Ben", "Cam"]


def test_an_unknown_member_is_404_json(world, as_):
    response = as_("ben").get(f"{ORG}/members/99999")
    assert response.status_code == 404
    assert reasons(response) == {"__all__": "Not found."}


def test_a_non_member_suspending_is_403_json_not_a_crash(world):
    zed = get_user_model().objects.create_user(username="zed", email="zed@test.org")
    client = Client()
    client.force_login(zed)
    response = client.post(
        f"{ORG}/members/{world.cam.pk}/suspend", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert reasons(response) == {"__all__": "Only members in good standing can see this."}


def test_no_two_request_or_response_shapes_share_a_name():
    """The OpenAPI schema names shapes by class name: two different classes with one name
    would document one endpoint with the other's body (it happened to founding's accept)."""
    import inspect
    import json
    import sys

    from ninja import Router, Schema

    import tribune.api.api  # noqa: F401 - imports every router

    seen: dict[str, str] = {}
    modules = [
        m
        for name, m in list(sys.modules.items())
        if name.startswith("tribune.") and isinstance(getattr(m, "router", None), Router)
    ]
    assert len(modules) >= 10
    for module in modules:
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, Schema)):
                continue
            if cls.__module__ != module.__name__:
                continue
            shape = json.dumps(cls.model_json_schema(), sort_keys=True)
            assert seen.setdefault(name, shape) == shape, f"two different shapes named {name}"
