"""Membership through the browser: joining, contacts, decisions, import and self-service."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tribune.members import importing
from tribune.members.models import ImportJob, Member, Standing
from tribune.members.services import apply_for_membership
from tribune.outbox.services import deliver_due

ORG = "/o/test-union"
User = get_user_model()


@pytest.fixture
def fay(world):
    """Fay has applied to Millbrook and waits for a decision."""
    return apply_for_membership(
        world.org, user=None, name="Fay", email="fay@test.org", branch=world.millbrook
    )


def join_data(world, **overrides):
    data = {
        "name": "Gus Grant",
        "email": "gus@example.org",
        "branch": world.millbrook.pk,
        "statement": "Rent is too high.",
        "password1": "a long and unusual passphrase",
        "password2": "a long and unusual passphrase",
    }
    data.update(overrides)
    return data


# Joining


def test_anonymous_visitor_applies_and_gets_a_verification_email(world, as_):
    """Open membership: anyone may apply, and the account must verify its email."""
    response = as_().post(f"{ORG}/join/", join_data(world))
    assert response.status_code == 200
    gus = Member.objects.get(organisation=world.org, email="gus@example.org")
    assert gus.name == "Gus Grant"
    assert gus.standing == Standing.APPLICANT
    assert gus.home_branch == world.millbrook
    assert gus.user.email == "gus@example.org"
    assert gus.user.check_password("a long and unusual passphrase")
    address = EmailAddress.objects.get(user=gus.user)
    assert address.email == "gus@example.org" and not address.verified
    # Queued in the outbox with the application, sent by the task queue.
    assert mail.outbox == [] and deliver_due()["sent"] == 1
    assert [m.to for m in mail.outbox] == [["gus@example.org"]]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "something else entirely"}, "password2", "The two passwords differ."),
        (
            {"email": "cam@test.org"},
            "email",
            "An account with this email exists: log in first, then apply.",
        ),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_a_bad_join_form_says_why_and_writes_nothing(world, as_, overrides, field, message):
    members, users = Member.objects.count(), User.objects.count()
    response = as_().post(f"{ORG}/join/", join_data(world, **overrides))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert (Member.objects.count(), User.objects.count()) == (members, users)
    assert mail.outbox == []


def test_a_logged_in_non_member_applies_with_name_and_branch_only(world, as_):
    """Someone with an account already (say, in another organisation) needs no new one."""
    hal = User.objects.create_user(username="hal", email="hal@test.org", password="x")
    client = Client()
    client.force_login(hal)
    page = client.get(f"{ORG}/join/")
    assert "password1" not in page.context["form"].fields
    response = client.post(f"{ORG}/join/", {"name": "Hal", "branch": world.south.pk})
    assert response.status_code == 200
    member = Member.objects.get(user=hal)
    assert (member.email, member.standing, member.home_branch) == (
        "hal@test.org",
        Standing.APPLICANT,
        world.south,
    )
    assert mail.outbox == []


def test_a_logged_in_member_cannot_apply_twice(world, as_):
    response = as_("ben").post(f"{ORG}/join/", {"name": "Ben", "branch": world.millbrook.pk})
    assert "You already have a membership record here (In good standing)." in str(
        response.context["form"].errors
    )
    assert Member.objects.filter(user=world.users["ben"]).count() == 1


# Contacts


def test_ben_sees_no_one_elses_contacts(world, as_):
    """Contacts are personal data: only a mandate with view_member_contacts reveals them."""
    world.cam.phone = "0700 555 123"
    world.cam.save()
    client = as_("ben")
    for url in (f"{ORG}/members/", f"{ORG}/members/{world.cam.pk}/"):
        body = client.get(url).content.decode()
        assert "Cam" in body
        assert "cam@test.org" not in body and "0700 555 123" not in body


def test_dana_with_two_factor_sees_contacts(world, as_):
    world.cam.phone = "0700 555 123"
    world.cam.save()
    client = as_("dana")
    for url in (f"{ORG}/members/", f"{ORG}/members/{world.cam.pk}/"):
        body = client.get(url).content.decode()
        assert "cam@test.org" in body and "0700 555 123" in body


def test_dana_without_two_factor_sees_no_contacts(world, as_):
    """The power over personal data lapses while the holder's login is single-factor."""
    world.users["dana"].authenticator_set.all().delete()
    body = as_("dana").get(f"{ORG}/members/").content.decode()
    assert "cam@test.org" not in body
    assert "Contact details are shown only to officers" in body


# Applications


def test_ana_admits_an_applicant(world, as_, fay):
    response = as_("ana").post(f"{ORG}/applications/{fay.pk}/admit/")
    assert response.status_code == 302
    fay.refresh_from_db()
    assert fay.standing == Standing.GOOD


def test_admitting_by_get_changes_nothing(world, as_, fay):
    """A link must never admit anyone: only a POST does."""
    as_("ana").get(f"{ORG}/applications/{fay.pk}/admit/")
    fay.refresh_from_db()
    assert fay.standing == Standing.APPLICANT


def test_refusing_without_a_reason_is_a_form_error(world, as_, fay):
    response = as_("ana").post(f"{ORG}/applications/{fay.pk}/refuse/", {"reason": "  "})
    assert response.status_code == 400
    assert "A written reason is required." in response.content.decode()
    fay.refresh_from_db()
    assert fay.standing == Standing.APPLICANT


def test_refusing_with_a_reason_puts_it_on_record(world, as_, fay):
    response = as_("ana").post(
        f"{ORG}/applications/{fay.pk}/refuse/", {"reason": "Lives outside our area."}
    )
    assert response.status_code == 302
    fay.refresh_from_db()
    assert fay.standing == Standing.REFUSED
    assert fay.standing_changes.last().reason == "Lives outside our area."


def test_ben_cannot_admit(world, as_, fay):
    response = as_("ben").post(f"{ORG}/applications/{fay.pk}/admit/")
    assert response.status_code == 403
    assert "No current mandate of yours grants the power" in response.content.decode()
    fay.refresh_from_db()
    assert fay.standing == Standing.APPLICANT


# Standing


def test_ana_suspends_cam_with_a_reason_and_not_without(world, as_):
    client = as_("ana")
    response = client.post(f"{ORG}/members/{world.cam.pk}/suspend/", {"reason": ""})
    assert response.status_code == 400
    assert "A written reason is required." in response.content.decode()
    world.cam.refresh_from_db()
    assert world.cam.standing == Standing.GOOD
    response = client.post(f"{ORG}/members/{world.cam.pk}/suspend/", {"reason": "Broke a picket."})
    assert response.status_code == 302
    world.cam.refresh_from_db()
    assert world.cam.standing == Standing.SUSPENDED


def test_ben_cannot_suspend_cam(world, as_):
    """Lacking the power is a 403 with its reason, not a form to fix and resend."""
    response = as_("ben").post(f"{ORG}/members/{world.cam.pk}/suspend/", {"reason": "Spite."})
    assert response.status_code == 403
    assert "No current mandate of yours grants the power" in response.content.decode()
    world.cam.refresh_from_db()
    assert world.cam.standing == Standing.GOOD


# CSV import

CSV = """name,email,branch
Rosa Romero,rosa@test.org,millbrook
,noname@test.org,millbrook
Ivo Ivanova,not-an-email,north
Sami Sato,sami@test.org,atlantis
Wren Petrov,wren@test.org,south
Cam Again,cam@test.org,millbrook
"""


def upload(client, text=CSV):
    file = SimpleUploadedFile("list.csv", text.encode(), content_type="text/csv")
    return client.post(f"{ORG}/import/", {"file": file})


def test_import_dry_run_lists_every_rejected_line(world, as_):
    client = as_("dana")
    before = Member.objects.count()
    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{ORG}/import/{job.pk}/"
    body = client.get(response["Location"]).content.decode()
    assert "no name" in body
    assert "“not-an-email” is not a valid email address" in body
    assert "unknown branch “atlantis”" in body
    assert "3 rows rejected" in body
    assert Member.objects.count() == before


def test_import_confirmed_gives_the_right_counts(world, as_):
    """Two new members, Cam's row updates her name; the three bad rows stay out."""
    client = as_("dana")
    upload(client)
    job = ImportJob.objects.get()
    url = f"{ORG}/import/{job.pk}/"
    response = client.post(url, {"step": "confirm"})
    assert response.status_code == 302 and response["Location"] == url
    job.refresh_from_db()
    assert job.status == "done"
    assert (job.created, job.updated, job.unchanged) == (2, 1, 0)
    assert Member.objects.get(email="rosa@test.org").standing == Standing.GOOD
    assert Member.objects.get(pk=world.cam.pk).name == "Cam Again"
    assert not Member.objects.filter(email="sami@test.org").exists()
    body = client.get(url).content.decode()
    assert "Import finished." in body
    assert "3 of 3 rows imported" in body


def test_a_long_import_shows_progress_and_htmx_gets_the_partial(world, as_):
    """Thousands of rows go in chunk by chunk; the page polls with htmx and works without it."""
    chunk = importing.CHUNK_ROWS
    total = 2 * chunk + 7
    rows = "".join(f"Member {i},m{i}@test.org,south\n" for i in range(total))
    client = as_("dana")
    upload(client, "name,email,branch\n" + rows)
    job = ImportJob.objects.get()
    url = f"{ORG}/import/{job.pk}/"
    client.post(url, {"step": "confirm"})
    page = client.get(url).content.decode()
    assert f"{chunk} of {total} rows imported" in page
    assert f'hx-post="{url}"' in page
    partial = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="import-progress"')
    assert "<html" not in partial
    assert f"{2 * chunk} of {total} rows imported" in partial
    response = client.post(url)  # without JavaScript: the "Continue" button
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", total)
    assert Member.objects.filter(organisation=world.org, home_branch=world.south).count() == total


def test_a_file_without_the_columns_is_refused_on_the_form(world, as_):
    response = upload(as_("dana"), "who,where\nRosa,Millbrook\n")
    assert response.status_code == 200
    assert "The file needs the columns" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_ben_cannot_upload_a_list(world, as_):
    response = upload(as_("ben"))
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


# Self-service


def test_ben_downloads_everything_held_about_him(world, as_):
    response = as_("ben").get(f"{ORG}/me/export/")
    assert response["Content-Disposition"] == 'attachment; filename="tribune-test-union.json"'
    data = json.loads(response.content)
    assert data["email"] == "ben@test.org"
    assert data["name"] == "Ben"
    assert data["standing"] == Standing.GOOD


def test_ben_updates_his_profile(world, as_):
    response = as_("ben").post(
        f"{ORG}/me/", {"name": "Ben B", "phone": "0700 1", "address": "", "branch": world.south.pk}
    )
    assert response.status_code == 302
    world.ben.refresh_from_db()
    assert (world.ben.name, world.ben.phone, world.ben.home_branch) == (
        "Ben B",
        "0700 1",
        world.south,
    )


def test_resigning_needs_the_box_ticked(world, as_):
    client = as_("ben")
    client.post(f"{ORG}/me/resign/", {})
    world.ben.refresh_from_db()
    assert world.ben.standing == Standing.GOOD
    response = client.post(f"{ORG}/me/resign/", {"confirm": "on"})
    assert response.status_code == 302
    world.ben.refresh_from_db()
    assert world.ben.standing == Standing.RESIGNED


def test_erasure_logs_out_and_removes_personal_data(world, as_):
    """The record stays for history's sake, but nothing in it names Ben any more."""
    client = as_("ben")
    response = client.post(f"{ORG}/me/erase/", {"confirm": "on"})
    assert response.status_code == 302
    world.ben.refresh_from_db()
    assert world.ben.email == "" and "Ben" not in world.ben.name
    assert world.ben.user is None and world.ben.erased_at is not None
    assert not User.objects.filter(email="ben@test.org").exists()
    assert client.get(f"{ORG}/me/").status_code == 302  # to the login page
    assert "_auth_user_id" not in client.session


# Appeals


def test_a_refused_applicant_appeals_and_the_appeals_committee_upholds(world, as_):
    """A refusal is never final in software: the body the constitution names hears it."""
    fay_user = User.objects.create_user(username="fay", email="fay@test.org", password="x")
    fay = apply_for_membership(
        world.org, user=fay_user, name="Fay", email="fay@test.org", branch=world.millbrook
    )
    as_("ana").post(f"{ORG}/applications/{fay.pk}/refuse/", {"reason": "Unknown to us."})
    change = fay.standing_changes.get(to_standing=Standing.REFUSED)
    fay_client = Client()
    fay_client.force_login(fay_user)
    assert "Unknown to us." in fay_client.get(f"{ORG}/me/").content.decode()
    response = fay_client.post(f"{ORG}/me/appeal/{change.pk}/", {"statement": "I live here."})
    assert response.status_code == 302

    eli = as_("eli")
    page = eli.get(f"{ORG}/appeals/").content.decode()
    assert "Fay" in page and "I live here." in page
    appeal = change.appeal
    response = eli.post(
        f"{ORG}/appeals/", {"appeal": appeal.pk, "upheld": "1", "reason": "She does."}
    )
    assert response.status_code == 302
    fay.refresh_from_db()
    assert fay.standing == Standing.GOOD
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decision_reason) == ("upheld", "She does.")


def test_a_directory_search_finds_by_name(world, as_):
    response = as_("ben").get(f"{ORG}/members/", {"q": "ca"})
    assert [m.name for m in response.context["members"]] == ["Cam"]


def test_a_non_member_posting_a_suspension_is_refused_not_a_crash(world):
    zed = User.objects.create_user(username="zed", email="zed@test.org", password="x")
    client = Client()
    client.force_login(zed)
    response = client.post(f"{ORG}/members/{world.cam.pk}/suspend/", {"reason": "Because."})
    assert response.status_code == 403
    assert "Only members in good standing can see this page." in response.content.decode()
    world.cam.refresh_from_db()
    assert world.cam.standing == Standing.GOOD


def test_the_dry_run_report_shows_rejected_rows_a_page_at_a_time(world, as_):
    from tribune.members.views import REJECTED_PER_PAGE

    bad = REJECTED_PER_PAGE + 5
    rows = "".join(f"Bad {i},bad{i},south\n" for i in range(bad)) + "Good,good@test.org,south\n"
    client = as_("dana")
    location = upload(client, "name,email,branch\n" + rows)["Location"]
    first = client.get(location).content.decode()
    assert f"{bad} rows rejected" in first
    assert "“bad0” is not a valid email address" in first
    assert f"“bad{bad - 1}”" not in first
    assert "?page=2" in first
    second = client.get(location + "?page=2").content.decode()
    assert f"“bad{bad - 1}” is not a valid email address" in second
    assert "“bad0”" not in second
    assert "1 new members" in second
