"""Every page renders for whoever may see it, and refuses the others with a reason, not a 500."""

import pytest
from django.contrib.auth import get_user_model
from django.template.defaultfilters import date
from django.test import Client
from django.utils.timezone import localtime

from tribune.members import importing
from tribune.members.services import apply_for_membership

ORG = "/o/test-union"


@pytest.fixture
def stranger():
    """Someone with an account but no membership of the Test Union."""
    user = get_user_model().objects.create_user(username="zed", email="zed@test.org", password="x")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def fay(world):
    """A pending applicant, so the refuse form has someone to refuse."""
    return apply_for_membership(
        world.org, user=None, name="Fay", email="fay@test.org", branch=world.millbrook
    )


PUBLIC_PAGES = [
    "/",
    f"{ORG}/",
    f"{ORG}/b/millbrook/",
    f"{ORG}/join/",
    f"{ORG}/constitution/",
    f"{ORG}/constitution/v1/",
    f"{ORG}/bodies/",
    f"{ORG}/audit/",
    f"{ORG}/audit/?verify=1",
    "/accounts/login/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_render_for_anyone(world, as_, url):
    """Applicants must be able to read who we are and what rules bind us before joining."""
    assert as_().get(url).status_code == 200


def test_organisation_page_names_the_branches(world, as_):
    body = as_().get(f"{ORG}/").content.decode()
    assert "Test Union" in body
    assert "North" in body and "South" in body  # the top levels; Millbrook is under North


def test_branch_page_shows_its_parent(world, as_):
    body = as_().get(f"{ORG}/b/millbrook/").content.decode()
    assert "Millbrook" in body and "North" in body


def test_unknown_branch_and_old_version_are_404(world, as_):
    assert as_().get(f"{ORG}/b/atlantis/").status_code == 404
    assert as_().get(f"{ORG}/constitution/v9/").status_code == 404
    assert as_().get("/o/no-such-union/").status_code == 404


def test_audit_log_verification_says_the_chain_holds(world, as_):
    response = as_().get(f"{ORG}/audit/?verify=1")
    assert response.context["verification"].ok
    assert as_().get(f"{ORG}/audit/").context["verification"] is None


def test_bodies_page_shows_office_holders_their_mandates_and_term_ends(world, as_):
    """Whoever holds power, under which mandate and until when, is public."""
    term = world.ana.terms.get()
    body = as_().get(f"{ORG}/bodies/").content.decode()
    assert "Branch secretary" in body and "Membership officer" in body
    assert "Ana" in body and "Dana" in body
    assert date(localtime(term.ends_at), "j M Y") in body


def test_constitution_page_shows_the_version_its_date_and_how_it_was_adopted(world, as_):
    version = world.org.current_constitution()
    body = as_().get(f"{ORG}/constitution/v1/").content.decode()
    assert "Constitution of Test Union, version 1" in body
    adopted = date(localtime(version.adopted_at), "j F Y")
    assert f"Adopted {adopted}: {version.adopted_how}." in body
    assert "730 days" in body and "2 consecutive terms in one office" in body


def test_anonymous_audit_log_shows_member_numbers_not_names(world, as_):
    """Members read who did what; the public sees that it was done, by member number."""
    anonymous = as_().get(f"{ORG}/audit/").content.decode()
    assert f"member #{world.ana.pk}" in anonymous and ">Ana<" not in anonymous
    assert "Ana" in as_("ben").get(f"{ORG}/audit/").content.decode()


MEMBER_PAGES = [
    f"{ORG}/members/",
    f"{ORG}/me/",
    f"{ORG}/me/export/",
    f"{ORG}/me/resign/",
    f"{ORG}/me/erase/",
    "/account/tokens/",
]


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_member_pages_render_for_ben(world, as_, url):
    assert as_("ben").get(url).status_code == 200


@pytest.mark.parametrize("url", [*MEMBER_PAGES, f"{ORG}/applications/", f"{ORG}/import/"])
def test_login_required_pages_send_anonymous_to_login(world, as_, url):
    response = as_().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_page_renders_for_a_member(world, as_):
    response = as_("ben").get(f"{ORG}/members/{world.cam.pk}/")
    assert response.status_code == 200
    assert "Cam" in response.content.decode()


def test_non_member_is_refused_the_directory_and_member_pages(world, stranger):
    """Being logged in is not membership: the directory is for members in good standing."""
    for url in (f"{ORG}/members/", f"{ORG}/members/{world.cam.pk}/"):
        response = stranger.get(url)
        assert response.status_code == 403
        assert "Only members in good standing can see this page." in response.content.decode()


def test_non_member_has_no_export_and_is_sent_to_join_from_me(world, stranger):
    response = stranger.get(f"{ORG}/me/export/")
    assert response.status_code == 403
    assert "You have no membership record here." in response.content.decode()
    response = stranger.get(f"{ORG}/me/")
    assert response.status_code == 302 and response["Location"] == f"{ORG}/join/"


def test_applications_are_for_the_secretary_only(world, as_, fay):
    response = as_("ana").get(f"{ORG}/applications/")
    assert response.status_code == 200
    assert "Fay" in response.content.decode()
    response = as_("ben").get(f"{ORG}/applications/")
    assert response.status_code == 403
    assert "No current mandate of yours grants the power" in response.content.decode()


def test_refuse_form_is_for_the_secretary_only(world, as_, fay):
    url = f"{ORG}/applications/{fay.pk}/refuse/"
    assert as_("ana").get(url).status_code == 200
    response = as_("ben").get(url)
    assert response.status_code == 403
    assert "No current mandate of yours grants the power" in response.content.decode()


def test_appeals_are_for_the_appeals_committee_only(world, as_):
    assert as_("eli").get(f"{ORG}/appeals/").status_code == 200
    response = as_("ben").get(f"{ORG}/appeals/")
    assert response.status_code == 403
    assert "Only current members of the appeal body see appeals." in response.content.decode()


def test_import_pages_are_for_the_membership_officer_only(world, as_):
    job = importing.check_import(world.dana, world.org, "name,email,branch\n", "empty.csv")
    for url in (f"{ORG}/import/", f"{ORG}/import/{job.pk}/"):
        assert as_("dana").get(url).status_code == 200
        response = as_("ben").get(url)
        assert response.status_code == 403
        assert "No current mandate of yours grants the power" in response.content.decode()


def test_htmx_is_vendored_not_fetched_from_a_cdn(world, as_):
    """A self-hosted organisation's pages must not depend on, or leak visits to, a third party."""
    body = as_().get(f"{ORG}/").content.decode()
    assert '<script src="/static/vendor/htmx-' in body
    assert 'src="http' not in body and 'href="http' not in body.split("<body")[0]
