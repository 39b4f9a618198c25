"""Pages and API: organisers act through forms, members pledge, and no one sees who pledged."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tribune.audit.labels import ACTION_LABELS as LABELS
from tribune.audit.models import AuditEntry
from tribune.struggles.models import Pledge, Struggle, StruggleUpdate
from tribune.struggles.services import pledges
from tribune.struggles.services import struggles as struggle_services


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def strike(world, organiser):
    return struggle_services.start_struggle(
        organiser,
        world.org,
        title="Mill Road rent strike",
        branch=world.millbrook.slug,
        status="active",
    )


def test_an_organiser_starts_a_struggle_and_posts_news_through_the_pages(world, organiser):
    ana = _client(world.users["ana"])
    slug = world.org.slug
    response = ana.post(
        reverse("web:struggle_new", args=[slug]),
        {
            "title": "Repairs campaign",
            "summary": "Fix the lifts.",
            "branch": world.north.slug,
            "status": "preparing",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    struggle = Struggle.objects.get(title="Repairs campaign")
    assert struggle.branch == world.north
    url = reverse("web:struggle_action", args=[slug, struggle.pk, "update"])
    assert ana.post(url, {"text": "", "visibility": "public"}).status_code == 400
    response = ana.post(url, {"text": "We won the lifts!", "visibility": "public", "status": "won"})
    assert response.status_code == 302
    struggle.refresh_from_db()
    assert struggle.status == "won" and struggle.ended_at is not None
    page = Client().get(reverse("web:struggle", args=[slug, struggle.pk])).content.decode()
    assert "We won the lifts!" in page
    # A member without the mandate is refused, and offered no form.
    ben = _client(world.users["ben"])
    assert ben.post(url, {"text": "Hi", "visibility": "public"}).status_code == 403
    assert (
        "For the organisers"
        not in ben.get(reverse("web:struggle", args=[slug, struggle.pk])).content.decode()
    )


def test_members_only_news_and_struggles_are_hidden_from_the_public(world, organiser, strike):
    struggle_services.post_update(
        organiser, strike, text_="Strike fund details.", visibility="members"
    )
    hidden = struggle_services.start_struggle(
        organiser, world.org, title="Secret plan", visibility="members"
    )
    slug = world.org.slug
    public = Client()
    assert (
        "Strike fund"
        not in public.get(reverse("web:struggle", args=[slug, strike.pk])).content.decode()
    )
    assert (
        "Strike fund"
        in _client(world.users["ben"])
        .get(reverse("web:struggle", args=[slug, strike.pk]))
        .content.decode()
    )
    assert public.get(reverse("web:struggle", args=[slug, hidden.pk])).status_code == 404
    assert "Secret plan" not in public.get(reverse("web:struggles", args=[slug])).content.decode()
    assert public.get(f"/api/v1/organisations/{slug}/struggles/{hidden.pk}").status_code == 404
    assert StruggleUpdate.objects.count() == 1


def test_the_pledge_page_counts_and_names_only_the_viewer(
    world, organiser, strike, django_capture_on_commit_callbacks
):
    pledge = pledges.create_pledge(
        organiser,
        world.org,
        struggle=strike,
        action="strike",
        threshold=2,
        deadline=timezone.now() + timedelta(days=3),
    )
    slug = world.org.slug
    ben = _client(world.users["ben"])
    assert (
        ben.post(reverse("web:pledge_action", args=[slug, pledge.pk, "pledge"])).status_code == 302
    )
    mine = ben.get(reverse("web:pledge", args=[slug, pledge.pk])).content.decode()
    assert "You have pledged." in mine and "1 of 2 have pledged" in mine
    for client in (Client(), _client(world.users["ana"]), _client(world.users["cam"])):
        page = client.get(reverse("web:pledge", args=[slug, pledge.pk])).content.decode()
        assert "1 of 2" in page and "You have pledged." not in page and "Ben" not in page
        api = client.get(f"/api/v1/organisations/{slug}/pledges/{pledge.pk}").json()
        assert api["count"] == 1 and api["mine"] is None and "Ben" not in str(api)
    assert ben.get(f"/api/v1/organisations/{slug}/pledges/{pledge.pk}").json()["mine"] == "pledged"
    # Cam's pledge reaches the number: the count fragment (polled by the page) shows it.
    cam = _client(world.users["cam"])
    with django_capture_on_commit_callbacks(execute=True):  # the trigger's notices follow it
        response = cam.post(f"/api/v1/organisations/{slug}/pledges/{pledge.pk}/commitment")
    assert response.status_code == 201 and response.json()["state"] == "triggered"
    fragment = Client().get(reverse("web:pledge_count", args=[slug, pledge.pk])).content.decode()
    assert 'data-state="triggered"' in fragment
    notices = ben.get(f"/api/v1/organisations/{slug}/me/notices").json()
    assert len(notices) == 1 and "is on" in notices[0]["text"]
    # The audit log (as members read it, with names) names no pledger.
    audit = ben.get(reverse("web:audit", args=[slug])).content.decode().split("<tbody>")[1]
    assert not re.search(r"\b(Ben|Cam)\b", audit)


def test_api_refuses_bad_input_with_the_field(world, organiser, strike):
    ana = _client(world.users["ana"])
    slug = world.org.slug
    response = ana.post(
        f"/api/v1/organisations/{slug}/pledges",
        {
            "action": "strike",
            "threshold": 0,
            "deadline": "2031-01-01T10:00:00+00:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "threshold"
    response = ana.post(
        f"/api/v1/organisations/{slug}/events",
        {
            "title": "Meeting",
            "starts_at": "2031-01-01T10:00:00+00:00",
            "ends_at": "2031-01-01T12:00:00+00:00",
            "place": "Hall",
            "time_zone": "Nowhere/Land",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "time_zone"
    assert not Pledge.objects.exists()


def test_every_action_recorded_has_a_plain_label(world, organiser, strike):
    pledge = pledges.create_pledge(
        organiser,
        world.org,
        struggle=strike,
        action="strike",
        threshold=1,
        deadline=timezone.now() + timedelta(days=3),
    )
    pledges.make_pledge(world.ben, pledge)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    ours = {a for a in actions if a.split(".")[0] in {"struggle", "pledge", "event", "solidarity"}}
    assert ours and ours <= set(LABELS)
