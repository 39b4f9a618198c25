"""One site frame for every page, errors included, and links only to what the viewer may do."""

from django.template.loader import render_to_string
from django.test import RequestFactory

from tribune.assemblies.forms import MotionForm


def test_not_found_keeps_the_frame_and_says_what_next(client, world):
    client.force_login(world.users["ben"])
    response = client.get("/o/test-union/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'class="menu"' in page and "favicon.svg" in page
    assert "There is no such page" in page and "what needs you now" in page


def test_a_refusal_keeps_the_frame_and_never_scripts_its_way_back(client, world):
    client.force_login(world.users["ben"])
    response = client.get("/o/test-union/applications/")
    page = response.content.decode()
    assert response.status_code == 403
    assert 'class="menu"' in page and "javascript:" not in page
    assert "Go to Test Union's page" in page  # the next step, in the organisation's menu
    assert "/o/test-union/constitution/" in page


def test_the_server_error_page_needs_no_request_and_has_the_frame():
    page = render_to_string("500.html")
    assert "Something went wrong on the server" in page and 'class="brand"' in page
    page = render_to_string("403.html", request=RequestFactory().get("/"))
    assert "You may not open this page" in page


def test_the_favicon_is_served(client, db):
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")


def test_officers_links_only_for_whoever_may_open_them(client, world):
    client.force_login(world.users["ben"])
    page = client.get("/o/test-union/").content.decode()
    for link in ("/applications/", "/import/", "/appeals/"):
        assert f"/o/test-union{link}" not in page
    client.force_login(world.users["ana"])  # admissions, not imports, not on the appeal body
    page = client.get("/o/test-union/").content.decode()
    assert "/o/test-union/applications/" in page
    assert "/o/test-union/import/" not in page and "/o/test-union/appeals/" not in page
    client.force_login(world.users["dana"])  # imports, with two-factor
    assert "/o/test-union/import/" in client.get("/o/test-union/").content.decode()
    client.force_login(world.users["eli"])  # the appeals committee
    assert "/o/test-union/appeals/" in client.get("/o/test-union/").content.decode()


def test_on_behalf_of_offers_only_what_the_tabler_may_act_for(world):
    from datetime import timedelta

    from django.utils import timezone

    from tribune.assemblies.models import Assembly

    now = timezone.now()
    assembly = Assembly.objects.create(
        organisation=world.org,
        branch=world.root,
        title="Congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=11),
        motions_deadline=now + timedelta(days=5),
    )
    form = MotionForm(assembly=assembly, member=world.ben)
    offered = {b.name for b in form.fields["on_behalf_of_branch"].queryset}
    assert offered == {"Test Union", "North", "Millbrook"}  # his branch and those above it
    assert "on_behalf_of_faction" not in form.fields  # he holds no faction office
    assert "on_behalf_of_branch" not in MotionForm(assembly=assembly).fields


def test_an_expired_form_keeps_the_frame(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/logout/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "The form had expired" in page and 'class="menu"' in page
