"""Pages to plan outside a struggle, the pledge page's units and second key, task buttons."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office
from tribune.struggles.models import Event, Pledge, PledgeState, Task
from tribune.struggles.tests.conftest import give_mandate


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


WHEN = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
LATER = (timezone.now() + timedelta(days=10, hours=2)).strftime("%Y-%m-%dT%H:%M")


def test_an_organisation_pledge_with_units_and_a_body_key_through_the_pages(world, organiser):
    body = create_body(world.org, name="Strike committee", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Strike committee member", mandate="Decide the go.")
    begin_term(office, world.dana, source=TermSource.ELECTION)
    ana, slug = _client(world.users["ana"]), world.org.slug
    url = reverse("web:pledge_new", args=[slug])
    assert _client(world.users["ben"]).get(url).status_code == 403
    page = ana.get(url).content.decode()
    assert "Strike committee" in page and "the whole organisation" in page
    form = {
        "branch": "",
        "action": "walk out together",
        "threshold": "2",
        "deadline": WHEN,
        "units": "Block A = 1\nBlock B = 1",
        "second_key": "body",
        "decider": body.slug,
        "decide_hours": "24",
    }
    refused = ana.post(url, {**form, "units": "Block A"})
    assert refused.status_code == 400 and "name = how many" in refused.content.decode()
    refused = ana.post(url, {**form, "decider": ""})
    assert refused.status_code == 400 and "Name the body" in refused.content.decode()
    assert not Pledge.objects.exists()
    made = ana.post(url, form)
    assert made.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.branch is None and pledge.struggle is None and pledge.units.count() == 2
    ben, cam = _client(world.users["ben"]), _client(world.users["cam"])
    page_url = reverse("web:pledge", args=[slug, pledge.pk])
    assert 'name="unit"' in ben.get(page_url).content.decode()
    ben.post(reverse("web:pledge_action", args=[slug, pledge.pk, "pledge"]), {"unit": "Block A"})
    cam.post(reverse("web:pledge_action", args=[slug, pledge.pk, "pledge"]), {"unit": "Block B"})
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.AWAITING
    dana = _client(world.users["dana"])
    assert "Give the go" in dana.get(page_url).content.decode()
    assert "Give the go" not in ben.get(page_url).content.decode()
    dana.post(reverse("web:pledge_action", args=[slug, pledge.pk, "go"]), {"go": "yes"})
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.TRIGGERED


def test_a_branch_event_and_a_task_through_the_pages(world):
    give_mandate(world, world.eli, branch=world.millbrook)
    eli, slug = _client(world.users["eli"]), world.org.slug
    url = reverse("web:event_new", args=[slug])
    page = eli.get(url).content.decode()
    assert "Millbrook" in page and "the whole organisation" not in page
    form = {
        "branch": world.millbrook.slug,
        "title": "Branch meeting",
        "kind": "meeting",
        "starts_at": WHEN,
        "ends_at": LATER,
        "time_zone": "Europe/London",
        "place": "",
        "visibility": "members",
    }
    refused = eli.post(url, form)
    assert refused.status_code == 400 and "Give a place or a link" in refused.content.decode()
    assert eli.post(url, {**form, "branch": ""}).status_code == 403  # beyond her mandate
    assert not Event.objects.exists()
    assert eli.post(url, {**form, "place": "The Old Library"}).status_code == 302
    event = Event.objects.get()
    assert event.branch == world.millbrook and event.visibility == "members"
    task_url = reverse("web:event_action", args=[slug, event.pk, "task"])
    made = eli.post(task_url, {"title": "Set out the chairs", "min_people": "2"})
    assert made.status_code == 302
    task = Task.objects.get()
    assert task.event == event and task.visibility == "members"
    ben = _client(world.users["ben"])
    assert (
        "Set out the chairs"
        in ben.get(reverse("web:event", args=[slug, event.pk])).content.decode()
    )
    ben.post(reverse("web:task_action", args=[slug, task.pk, "signup"]))
    task.refresh_from_db()
    assert task.taken == 1
    organiser_page = eli.get(reverse("web:event", args=[slug, event.pk])).content.decode()
    assert "Set out the chairs" in organiser_page and "Ben" in organiser_page
    member_page = _client(world.users["cam"]).get(reverse("web:event", args=[slug, event.pk]))
    assert "Set out the chairs" in member_page.content.decode()
    assert "Ben" not in member_page.content.decode()  # who took a task: organisers only
    assert Client().get(reverse("web:event", args=[slug, event.pk])).status_code == 404
    new_task = reverse("web:task_new", args=[slug])
    assert (
        eli.post(
            new_task,
            {
                "branch": world.millbrook.slug,
                "title": "Leaflet the high street",
                "min_people": "3",
                "max_people": "1",
                "visibility": "public",
            },
        ).status_code
        == 400
    )
    assert (
        eli.post(
            new_task,
            {
                "branch": world.millbrook.slug,
                "title": "Leaflet the high street",
                "min_people": "3",
                "visibility": "public",
            },
        ).status_code
        == 302
    )
    listing = Client().get(reverse("web:struggles", args=[slug])).content.decode()
    assert "Leaflet the high street" in listing
    leaflet = Task.objects.get(title="Leaflet the high street")
    done_url = reverse("web:task_action", args=[slug, leaflet.pk, "done"])
    cam = _client(world.users["cam"])
    cam.post(reverse("web:task_action", args=[slug, leaflet.pk, "signup"]))
    # The branch's organiser runs its tasks on the list page too: who signed up, and done.
    for_eli = eli.get(reverse("web:struggles", args=[slug])).content.decode()
    assert done_url in for_eli and "Cam" in for_eli
    for_ben = ben.get(reverse("web:struggles", args=[slug])).content.decode()
    assert done_url not in for_ben and "Cam" not in for_ben
