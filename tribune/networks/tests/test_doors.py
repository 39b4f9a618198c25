"""The pages and the API: the same rules, refusals naming the field, and no pledger named."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tribune.audit.models import AuditEntry
from tribune.networks import coalitions, concert, networks
from tribune.networks.models import Network
from tribune.networks.tests.test_coalitions import both_ratify, propose
from tribune.struggles.services import pledges


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_found_invite_join_and_leave_through_the_pages(pair):
    ana = _client(pair.world.users["ana"])
    response = ana.post(
        reverse("web:network_new", args=[pair.a.slug]),
        {
            "name": "Housing network",
            "slug": "housing",
            "purpose": "Decent homes for all.",
            "decision_rule": "one_vote",
            "decision": "mandate",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = ana.post(
        reverse("web:network_action", args=[pair.a.slug, "housing", "invite"]),
        {"uri": pair.b.uri, "name": "", "kind": "organisation"},
    )
    assert response.status_code == 302
    vote = pair.vote_b("Join the housing network?")
    zoe = _client(pair.zoe.user)
    page = zoe.get(reverse("web:org_networks", args=[pair.b.slug])).content.decode()
    assert "Join the housing network?" in page  # offered as the decision to cite
    response = zoe.post(
        reverse("web:network_action", args=[pair.b.slug, "housing", "join"]),
        {"decision": f"referendum:{vote.pk}"},
    )
    assert response.status_code == 302
    page = _client().get(reverse("web:network", args=["housing"])).content.decode()
    assert "Other Union" in page and "Join the housing network?" in page
    assert "Network delegate" in page and "Ana" in page  # the delegate office and its holder
    # A decision already cited is no longer offered, and citing it again is refused.
    page = zoe.get(reverse("web:org_networks", args=[pair.b.slug])).content.decode()
    assert f"referendum:{vote.pk}" not in page
    response = zoe.post(
        reverse("web:network_action", args=[pair.b.slug, "housing", "leave"]),
        {"decision": f"referendum:{vote.pk}"},
    )
    assert response.status_code == 400
    assert networks.is_member(Network.objects.get(slug="housing"), pair.b)
    # A member with no mandate: 403 with the reason, before any form.
    yan = _client(pair.yan.user)
    response = yan.post(reverse("web:network_action", args=[pair.b.slug, "housing", "leave"]), {})
    assert response.status_code == 403


def test_api_coalition_flow_and_refusals_name_the_field(pair):
    ana = _client(pair.world.users["ana"])
    base = f"/api/v1/organisations/{pair.a.slug}"
    ends = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = ana.post(
        f"{base}/coalitions",
        {"name": "Rent freeze", "slug": "rent", "demands": [], "ends_on": ends},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "demands"
    response = ana.post(
        f"{base}/coalitions",
        {
            "name": "Rent freeze",
            "slug": "rent",
            "demands": [{"title": "Freeze rents"}],
            "ends_on": ends,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    response = ana.post(
        f"{base}/coalitions/rent/decision",
        {"state": "ratified", "decision_kind": "referendum", "decision_ref": 999999},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"][0] == {
        "field": "decision",
        "reason": "No referendum of this organisation has this number.",
    }
    response = ana.post(
        f"{base}/coalitions/rent/decision",
        {"state": "ratified", "decision_kind": "mandate"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "forming"
    response = ana.post(
        f"{base}/coalitions/rent/invitations",
        {"uri": "nonsense"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["detail"][0]["field"] == "organisation"
    ben = _client(pair.world.users["ben"])
    response = ben.post(
        f"{base}/coalitions/rent/renewal", {"ends_on": ends}, content_type="application/json"
    )
    assert response.status_code == 403
    assert _client().get("/api/v1/coalitions/rent").json()["participants"][0]["state"] == (
        "ratified"
    )
    assert _client().get("/api/v1/coalitions/nothing").status_code == 404


def test_a_pledgers_identity_never_leaves_their_organisation(
    pair, django_capture_on_commit_callbacks
):
    coalition = propose(pair)
    both_ratify(pair, coalition)
    network = networks.found_network(
        pair.ana,
        pair.a,
        name="Net",
        slug="net",
        purpose="Together.",
        decision_rule="one_vote",
        decision_kind="mandate",
    )
    pledge = concert.create(
        pair.ana,
        pair.a,
        coalition,
        action="Withhold rent",
        threshold=2,
        deadline=timezone.now() + timedelta(days=3),
    )
    chapter_a = concert.open_chapter(pair.ana, pair.a, pledge)
    chapter_b = concert.open_chapter(pair.zoe, pair.b, pledge)
    with django_capture_on_commit_callbacks(execute=True):
        pledges.make_pledge(pair.cam, chapter_a)
        pledges.make_pledge(pair.xia, chapter_b)
    secrets = ["Cam", "Xia", "cam@test.org", "xia@test.org"]
    viewers = [_client(), _client(pair.zoe.user), _client(pair.world.users["ana"])]
    urls = [
        reverse("web:coalition", args=[coalition.slug]),
        reverse("web:network", args=[network.slug]),
        reverse("web:org_networks", args=[pair.a.slug]),
        reverse("web:org_networks", args=[pair.b.slug]),
        reverse("web:networks"),
        f"/api/v1/coalitions/{coalition.slug}",
        f"/api/v1/networks/{network.slug}",
        f"/api/v1/organisations/{pair.a.slug}/networks",
        f"/api/v1/organisations/{pair.b.slug}/networks",
        f"/api/v1/organisations/{pair.b.slug}/audit",
    ]
    for client in viewers:
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            for secret in secrets:
                assert secret not in body, (url, secret)
    # Other Union's audit log names none of Test Union's pledgers, and vice versa.
    for entry in AuditEntry.objects.all():
        assert entry.actor_id not in (pair.cam.pk, pair.xia.pk)
        assert f"member:{pair.cam.pk}" not in entry.target
    assert coalitions.participant(coalition, pair.b.uri).counts


def test_the_shared_calendar_is_an_icalendar_feed_of_public_shared_events(pair):
    import icalendar

    from tribune.networks import sharing
    from tribune.struggles.services import events

    coalition = propose(pair)
    both_ratify(pair, coalition)
    start = timezone.now() + timedelta(days=5)
    public = events.create_event(
        pair.zoe,
        pair.b,
        title="Coalition rally",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Town square",
    )
    events.create_event(
        pair.zoe,
        pair.b,
        title="Members' briefing",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        place="Hall",
        visibility="members",
    )
    sharing.share(pair.zoe, pair.b, coalition, kind="event", item_id=public.pk)
    feed = _client().get(reverse("web:coalition_calendar", args=[coalition.slug]))
    calendar = icalendar.Calendar.from_ical(feed.content)
    titles = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert titles == ["Coalition rally"]
    public.refresh_from_db()
    assert public.owner_kind == "coalition" and public.owner_label == coalition.name


def test_nothing_of_a_members_only_struggle_can_be_shared(pair):
    import pytest

    from tribune.lib.errors import RuleViolation
    from tribune.networks import sharing
    from tribune.struggles.services import solidarity
    from tribune.struggles.services import struggles as struggle_services

    coalition = propose(pair)
    both_ratify(pair, coalition)
    quiet = struggle_services.start_struggle(
        pair.zoe, pair.b, title="Quiet organising at Elm House", visibility="members"
    )
    request = solidarity.ask(
        pair.zoe,
        quiet,
        kind="statement",
        title="Ten people, quietly",
        quantity=10,
        deadline=timezone.now() + timedelta(days=3),
        elsewhere=[{"uri": pair.a.uri, "name": "Test Union"}],
    )
    for kind, item in (("struggle", quiet), ("solidarity", request)):
        with pytest.raises(RuleViolation, match="Only what is public") as refused:
            sharing.share(pair.zoe, pair.b, coalition, kind=kind, item_id=item.pk)
        assert refused.value.field == "item_id"
    page = _client().get(reverse("web:coalition", args=[coalition.slug])).content.decode()
    assert "Elm House" not in page and "quietly" not in page


def test_a_member_endorses_its_networks_joining_another_through_its_page(pair):
    outer = networks.found_network(
        pair.ana,
        pair.a,
        name="Outer",
        slug="outer",
        purpose="Wider.",
        decision_rule="one_vote",
        decision_kind="mandate",
    )
    inner = networks.found_network(
        pair.ana,
        pair.a,
        name="Inner",
        slug="inner",
        purpose="Closer.",
        decision_rule="one_vote",
        decision_kind="mandate",
    )
    networks.invite(pair.ana, pair.a, outer, member_uri=inner.uri, kind="network")
    ana = _client(pair.world.users["ana"])
    page = ana.get(reverse("web:org_networks", args=[pair.a.slug])).content.decode()
    assert "Inner is invited to join Outer" in page
    url = reverse("web:network_action", args=[pair.a.slug, "inner", "endorse"])
    refused = ana.post(url, {"act": "join", "decision": "mandate", "parent": "nowhere"})
    assert refused.status_code == 400
    response = ana.post(url, {"act": "join", "decision": "mandate", "parent": "outer"})
    assert response.status_code == 302
    assert outer.memberships.get(member_uri=inner.uri).state == "member"


def _rally(pair):
    from tribune.struggles.services import events

    start = timezone.now() + timedelta(days=5)
    return events.create_event(
        pair.zoe,
        pair.b,
        title="Coalition rally",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Town square",
    )


def _listed(coalition) -> tuple[str, list[str]]:
    """The coalition's public page and the titles in its calendar feed."""
    import icalendar

    page = _client().get(reverse("web:coalition", args=[coalition.slug])).content.decode()
    feed = _client().get(reverse("web:coalition_calendar", args=[coalition.slug])).content
    return page, [str(e["summary"]) for e in icalendar.Calendar.from_ical(feed).walk("VEVENT")]


def test_an_organisation_stops_sharing_through_the_page_and_it_goes_everywhere(pair):
    from tribune.networks import sharing
    from tribune.networks.models import SharedDocument

    coalition = propose(pair)
    both_ratify(pair, coalition)
    rally = _rally(pair)
    sharing.share(pair.zoe, pair.b, coalition, kind="event", item_id=rally.pk)
    assert _listed(coalition)[1] == ["Coalition rally"]
    assert SharedDocument.objects.filter(coalition=coalition, title="Coalition rally").exists()
    # Only those who run Other Union's struggles may; what is not shared is refused by name.
    url = reverse("web:coalition_action", args=[pair.b.slug, coalition.slug, "unshare"])
    assert _client(pair.yan.user).post(url, {"item": f"event:{rally.pk}"}).status_code == 403
    zoe = _client(pair.zoe.user)
    page = zoe.get(reverse("web:org_networks", args=[pair.b.slug])).content.decode()
    assert "Stop sharing one of ours with the coalition" in page
    response = zoe.post(url, {"item": f"event:{rally.pk}"})
    assert response.status_code == 302, response.content.decode()[:3000]
    rally.refresh_from_db()
    assert rally.concert_uri == "" and rally.owner_kind != "coalition"
    page, titles = _listed(coalition)
    assert titles == [] and "Coalition rally" not in page
    assert not SharedDocument.objects.filter(coalition=coalition).exists()
    entry = AuditEntry.objects.filter(organisation=pair.b).latest("seq")
    assert entry.action == "concert.unshared" and entry.actor_id == pair.zoe.pk
    # Nothing left to stop sharing: the form is gone, and the API refuses by name.
    page = zoe.get(reverse("web:org_networks", args=[pair.b.slug])).content.decode()
    assert "Stop sharing one of ours with the coalition" not in page
    zoe_api = _client(pair.zoe.user)
    response = zoe_api.post(
        f"/api/v1/organisations/{pair.b.slug}/shared/withdrawal",
        {"coalition": coalition.slug, "kind": "event", "item_id": rally.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["detail"][0]["field"] == "item_id"


def test_an_item_made_members_only_or_deleted_is_withdrawn_by_itself(pair):
    from tribune.networks import sharing

    coalition = propose(pair)
    both_ratify(pair, coalition)
    rally, march = _rally(pair), _rally(pair)
    march.title = "March"
    march.save()
    for event in (rally, march):
        sharing.share(pair.zoe, pair.b, coalition, kind="event", item_id=event.pk)
        event.refresh_from_db()  # as an edit reads it: now run with the coalition
    assert sorted(_listed(coalition)[1]) == ["Coalition rally", "March"]
    # Made members-only, with a private place: off every list, and its place nowhere.
    rally.visibility, rally.place = "members", "The back room at Elm House"
    rally.save()
    page, titles = _listed(coalition)
    assert titles == ["March"] and "Elm House" not in page and "Coalition rally" not in page
    assert coalition.documents.filter(kind="event").count() == 1
    # Public again: shared again (it is still run with the coalition).
    rally.visibility = "public"
    rally.save()
    assert sorted(_listed(coalition)[1]) == ["Coalition rally", "March"]
    march.delete()
    assert _listed(coalition)[1] == ["Coalition rally"]
    assert coalition.documents.filter(kind="event").count() == 1


def _archivist(organisation, member) -> None:
    """``member`` elected to an office that publishes ``organisation``'s archive."""
    from tribune.offices.models import BodyKind, TermSource
    from tribune.offices.services import begin_term, create_body, create_office

    body = create_body(organisation, name="Education committee", kind=BodyKind.COMMISSION)
    office = create_office(body, title="Archivist", mandate="Keep it.", powers=["curate_archive"])
    begin_term(office, member, source=TermSource.ELECTION)


def test_a_document_comes_off_the_list_by_the_api(pair):
    from tribune.archive import services as archive
    from tribune.networks import sharing

    coalition = propose(pair)
    both_ratify(pair, coalition)
    _archivist(pair.b, pair.zoe)
    doc = archive.propose_document(pair.zoe, pair.b, title="Our rent survey", text="Rents rose.")
    archive.decide(pair.zoe, doc.versions.get(), publish=True, reason="Agreed.")
    sharing.share_document(pair.zoe, pair.b, coalition, document_id=doc.pk)
    assert "Our rent survey" in _listed(coalition)[0]
    url = f"/api/v1/organisations/{pair.b.slug}/shared-documents/withdrawal"
    body = {"coalition": coalition.slug, "document_id": doc.pk}
    refused = _client(pair.yan.user).post(url, body, content_type="application/json")
    assert refused.status_code == 403
    response = _client(pair.zoe.user).post(url, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["shared"] is False
    assert "Our rent survey" not in _listed(coalition)[0]
    entry = AuditEntry.objects.filter(organisation=pair.b).latest("seq")
    assert entry.action == "concert.document_unshared"


def _ours_counted(pair, shown: str) -> int:
    """The queries of Test Union's networks page as its delegate sees it (showing ``shown``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ana = _client(pair.world.users["ana"])
    with CaptureQueriesContext(connection) as captured:
        page = ana.get(reverse("web:org_networks", args=[pair.a.slug]))
    assert page.status_code == 200 and shown in page.content.decode()
    return len(captured)


def test_the_organisations_page_costs_the_same_queries_for_5_and_50_documents(pair, monkeypatch):
    """The stop-sharing form reads the shared list's addresses, not the whole archive."""
    from tribune.archive import services as archive
    from tribune.networks import sharing

    monkeypatch.setattr(archive, "_check_pace", lambda member: None)  # 50 proposals at once
    _archivist(pair.a, pair.ana)
    network = networks.found_network(
        pair.ana,
        pair.a,
        name="Housing network",
        slug="housing",
        purpose="Homes.",
        decision_rule="one_vote",
        decision_kind="mandate",
    )
    made = []

    def archive_of(n: int) -> None:
        while len(made) < n:
            doc = archive.propose_document(pair.ana, pair.a, title=f"Leaflet {len(made)}", text="x")
            archive.decide(pair.ana, doc.versions.get(), publish=True, reason="Agreed.")
            made.append(doc)

    archive_of(5)
    sharing.share_document(pair.ana, pair.a, network, document_id=made[0].pk)
    _ours_counted(pair, "Leaflet 0")  # warm
    five = _ours_counted(pair, "Leaflet 0")
    archive_of(50)
    sharing.share_document(pair.ana, pair.a, network, document_id=made[49].pk)
    assert _ours_counted(pair, "Leaflet 0") == five


def test_the_organisations_page_costs_the_same_queries_for_2_and_6_networks(pair):
    """Each network's forms, parents, pledges and shared lists are read once for the page."""
    from tribune.networks import sharing
    from tribune.struggles.services import struggles

    fight = struggles.start_struggle(pair.ana, pair.a, title="Repairs now", status="active")

    def networks_up_to(n: int) -> None:
        for i in range(Network.objects.count(), n):
            network = networks.found_network(
                pair.ana,
                pair.a,
                name=f"Network {i}",
                slug=f"net-{i}",
                purpose="Homes.",
                decision_rule="one_vote",
                decision_kind="mandate",
            )
            concert.create(
                pair.ana,
                pair.a,
                network,
                action=f"Act {i}",
                threshold=10,
                deadline=timezone.now() + timedelta(days=9),
            )
            if i == 0:
                sharing.share(pair.ana, pair.a, network, kind="struggle", item_id=fight.pk)

    networks_up_to(2)
    _ours_counted(pair, "Stop sharing one of ours")  # warm
    two = _ours_counted(pair, "Stop sharing one of ours")
    networks_up_to(6)
    assert _ours_counted(pair, "Stop sharing one of ours") == two
