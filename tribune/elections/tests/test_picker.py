"""Choosing a member by searching (tribune.members.picker), on the nominate form."""

import pytest
from django.test import Client

from tribune.elections import services
from tribune.elections.models import Candidacy
from tribune.members.models import Standing
from tribune.members.services import admit_member, apply_for_membership

ORG = "/o/test-union"


@pytest.fixture
def election(world, office):
    return services.call_election(world.ana, office=office)


def _client(world, short=None):
    client = Client()
    if short:
        client.force_login(world.users[short])
    return client


def _search(client, election, text, pool="nominee"):
    return client.get(
        f"{ORG}/members/search/",
        {"pool": pool, "field": "member", "election": election.pk, "member_q": text},
    )


def test_the_nominate_form_lists_no_member_until_asked(world, election):
    page = _client(world, "ben").get(f"{ORG}/elections/{election.pk}/").content.decode()
    assert "<option" not in page.split('name="member_q"')[1].split("</form>")[0]
    assert 'hx-get="/o/test-union/members/search/?pool=nominee' in page


def test_search_offers_eligible_members_with_their_branch(world, election):
    applicant = apply_for_membership(
        world.org, user=None, name="Camilla", email="camilla@test.org", branch=world.north
    )
    page = _search(_client(world, "ben"), election, "cam").content.decode()
    assert "Cam (Millbrook)" in page and f'value="{world.cam.pk}"' in page
    assert "Camilla" not in page  # an applicant is not a member yet
    admit_member(world.ana, applicant)
    page = _search(_client(world, "ben"), election, "cam").content.decode()
    assert "Camilla (North)" in page


def test_search_is_for_members_in_good_standing_only(world, election):
    assert _search(_client(world), election, "cam").status_code == 302  # to log in
    world.ben.standing = Standing.SUSPENDED
    world.ben.save()
    response = _search(_client(world, "ben"), election, "cam")
    assert response.status_code == 403 and "Cam" not in response.content.decode()


def test_search_refuses_unknown_pools_and_other_organisations_elections(world, election):
    client = _client(world, "ben")
    assert _search(client, election, "cam", pool="everyone").status_code == 404
    response = client.get(
        f"{ORG}/members/search/",
        {"pool": "nominee", "field": "member", "election": "99999999", "member_q": "c"},
    )
    assert response.status_code == 404


def test_without_javascript_a_typed_name_is_looked_up(world, election):
    client = _client(world, "ben")
    url = f"{ORG}/elections/{election.pk}/nominate/"
    response = client.post(url, {"member_q": "nobody"})
    assert response.status_code == 400
    assert "No one who can be chosen here is called “nobody”." in response.content.decode()
    response = client.post(url, {"member_q": "a"})  # Ana, Dana, Cam
    assert response.status_code == 400
    page = response.content.decode()
    assert "Several people are called “a”: choose one." in page
    assert f'type="radio" name="member" value="{world.cam.pk}"' in page
    assert client.post(url, {"member_q": "cam"}).status_code == 302
    assert Candidacy.objects.get(election=election).member == world.cam


def test_a_chosen_member_outside_the_pool_is_refused(world, election, office):
    outsider = apply_for_membership(
        world.org, user=None, name="Fay", email="fay@test.org", branch=world.north
    )
    url = f"{ORG}/elections/{election.pk}/nominate/"
    response = _client(world, "ben").post(url, {"member": outsider.pk})
    assert response.status_code == 400
    assert "Choose someone from the list." in response.content.decode()
    assert not Candidacy.objects.exists()
