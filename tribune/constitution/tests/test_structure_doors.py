"""The structure's page and API: the same services, the same refusals."""

import json

from django.test import Client

from conftest import PASSWORD
from tribune.constitution import services
from tribune.elections.models import Election, Kind
from tribune.offices.models import Body, Office

URL = "/o/test-union/constitution/structure/"
API = "/api/v1/organisations/test-union/constitution/structure"


def _client(world, short):
    client = Client()
    assert client.login(username=short, password=PASSWORD)
    return client


def _office(**extra):
    return {
        "body": "executive-committee",
        "title": "Secretary",
        "mandate": "Keep the records.",
        "seats": 1,
        "electorate": "members",
        **extra,
    }


def test_the_provisional_committee_sets_up_bodies_and_offices_from_the_page(world):
    ana = _client(world, "ana")
    response = ana.post(URL + "body/", {"name": "Executive committee", "kind": "committee"})
    assert response.status_code == 302 and response["Location"].endswith("/diff/1/2/")
    response = ana.post(URL + "office/", _office(powers=["call_elections"]))
    assert response.status_code == 302
    office = Office.objects.get(body__slug="executive-committee", key="secretary")
    assert office.powers == ["call_elections"] and office.method == "irv"
    page = ana.get(response["Location"]).content.decode()
    assert "Secretary" in page and "Added" in page
    # Every member (and the public) reads the structure on the constitution page.
    public = Client().get("/o/test-union/constitution/").content.decode()
    assert "Keep the records." in public
    assert "Set up this office" not in Client().get(URL).content.decode()


def test_a_member_without_a_mandate_cannot_change_the_structure(world):
    ben = _client(world, "ben")
    response = ben.post(URL + "body/", {"name": "Shadow cabinet", "kind": "committee"})
    assert response.status_code == 403
    assert "Set up this body" not in ben.get(URL).content.decode()
    assert not Body.objects.filter(slug="shadow-cabinet").exists()
    assert Client().post(URL + "body/", {"name": "X", "kind": "committee"}).status_code == 302


def test_a_broken_office_is_refused_on_the_form_and_nothing_is_written(world):
    ana = _client(world, "ana")
    ana.post(URL + "body/", {"name": "Executive committee", "kind": "committee"})
    response = ana.post(URL + "office/", _office(term_days=9999))
    assert response.status_code == 400
    assert "the constitution allows at most 730" in response.content.decode()
    assert world.org.current_constitution().number == 2
    response = ana.post(URL + "office/", _office(seats=3, method="irv"))
    assert response.status_code == 400 and "choose STV" in response.content.decode()


def test_after_the_members_adopted_it_a_change_is_put_to_a_referendum(world):
    ana = _client(world, "ana")
    ana.post(URL + "body/", {"name": "Executive committee", "kind": "committee"})
    structure = world.org.current_constitution().structure
    services.adopt(world.org, {"structure": structure}, how="Adopted by members' vote: test")
    response = ana.post(URL + "office/", _office())
    assert response.status_code == 302
    election = Election.objects.get(kind=Kind.AMENDMENT)
    assert response["Location"] == election.get_absolute_url()
    assert election.amendment["structure"][0]["offices"][0]["title"] == "Secretary"
    assert not Office.objects.filter(key="secretary").exists()  # not until adopted


def test_the_api_sets_up_the_structure_and_answers_bad_input_with_the_field(world):
    ana = _client(world, "ana")
    body = {
        "key": "executive",
        "name": "Executive",
        "kind": "committee",
        "offices": [
            {"key": "secretary", "title": "Secretary", "mandate": "Keep the records.", "seats": 1}
        ],
    }
    payload = {"structure": [body], "summary": "an executive"}
    response = ana.post(API, json.dumps(payload), content_type="application/json")
    assert response.status_code == 201 and response.json()["adopted_version"] == 2
    body["offices"][0]["eligibility"] = "ten years' membership"
    response = ana.post(API, json.dumps(payload), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "structure"
    ben = _client(world, "ben")
    response = ben.post(API, json.dumps(payload), content_type="application/json")
    assert response.status_code == 403
    detail = Client().get("/api/v1/organisations/test-union/constitution/versions/2/diff").json()
    assert detail["structure"][0]["what"] == "added"
    assert world.org.current_constitution().number == 2


def test_any_member_may_table_a_change_as_a_motion_at_a_congress(world):
    from datetime import timedelta

    from django.utils import timezone

    from tribune.assemblies import services as assemblies
    from tribune.assemblies.models import Assembly, Motion
    from tribune.offices.models import TermSource
    from tribune.offices.services import begin_term, create_body, create_office

    body = create_body(world.org, name="Conference committee", kind="committee")
    convenor = create_office(
        body, title="Convenor", mandate="Convene congresses.", powers=["convene_assemblies"]
    )
    begin_term(convenor, world.ana, source=TermSource.ELECTION)
    now = timezone.now()
    congress = assemblies.convene(
        world.ana,
        world.root,
        title="Congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=11),
        motions_deadline=now + timedelta(days=5),
        chair=world.eli,
    )
    ben = _client(world, "ben")
    page = ben.get(URL).content.decode()
    assert "Table this body as a motion" in page
    response = ben.post(URL + "body/", {"name": "Executive", "kind": "committee"})
    assert response.status_code == 403  # not as a motion: he has no mandate to set it up
    response = ben.post(
        URL + "body/", {"name": "Executive", "kind": "committee", "assembly": congress.pk}
    )
    assert response.status_code == 302
    motion = Motion.objects.get(assembly=congress)
    assert motion.amends_constitution and motion.tabled_by == world.ben
    assert motion.constitution_change["structure"][0]["name"] == "Executive"
    assert world.org.current_constitution().number == 1  # until the congress carries it
