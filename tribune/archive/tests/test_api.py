"""The archive API: the same rules as the pages, refusals as 4xx JSON naming the field."""

import base64

from tribune.archive import services
from tribune.archive.models import Document, DocumentVersion
from tribune.archive.samplepdf import simple_pdf

ORG = "/api/v1/organisations/test-union/archive"


def test_propose_publish_find_and_compare_through_the_api(client, world, curator, token_for):
    ben, cam = token_for("ben"), token_for("cam")
    pdf = base64.b64encode(simple_pdf([["The strikers' bulletin", "Picket at dawn."]])).decode()
    created = client.post(
        f"{ORG}/documents",
        {"title": "Bulletin", "pdf_base64": pdf, "pdf_name": "bulletin.pdf"},
        content_type="application/json",
        **ben,
    )
    assert created.status_code == 201, created.content
    document_id = created.json()["id"]
    assert created.json()["version"]["format"] == "pdf"
    assert client.get(f"{ORG}/documents/{document_id}").status_code == 404  # not yet published
    refused = client.post(
        f"{ORG}/documents/{document_id}/versions/1/decision",
        {"publish": True, "reason": "Mine."},
        content_type="application/json",
        **ben,
    )
    assert refused.status_code == 403
    no_reason = client.post(
        f"{ORG}/documents/{document_id}/versions/1/decision",
        {"publish": True, "reason": ""},
        content_type="application/json",
        **cam,
    )
    assert no_reason.status_code == 400
    assert no_reason.json()["detail"][0]["field"] == "reason"
    published = client.post(
        f"{ORG}/documents/{document_id}/versions/1/decision",
        {"publish": True, "reason": "Our bulletin."},
        content_type="application/json",
        **cam,
    )
    assert published.status_code == 201 and published.json()["outcome"] == "published"
    hits = client.get(f"{ORG}/search", {"q": "pickets"}).json()
    assert [h["id"] for h in hits] == [document_id]
    assert "<mark>Picket</mark>" in hits[0]["excerpt"]
    detail = client.get(f"{ORG}/documents/{document_id}").json()
    assert detail["version"]["author"] is None  # members' names are for members
    edited = client.post(
        f"{ORG}/documents/{document_id}/versions",
        {"title": "Bulletin", "text": "Picket at nine."},
        content_type="application/json",
        **ben,
    )
    assert edited.status_code == 201 and edited.json()["number"] == 2
    diff = client.get(f"{ORG}/documents/{document_id}/diff", {"old": 1, "new": 2}, **ben)
    assert diff.status_code == 200 and "<ins>" in diff.json()["html"]
    assert (
        client.get(f"{ORG}/documents/{document_id}/diff", {"old": 1, "new": 2}).status_code == 404
    )


def test_bad_input_is_a_clear_4xx_and_writes_nothing(client, world, token_for):
    ben = token_for("ben")
    bad = client.post(
        f"{ORG}/documents",
        {"title": "Bad", "pdf_base64": "not base64!"},
        content_type="application/json",
        **ben,
    )
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "pdf_base64"
    fake = base64.b64encode(b"%PDF-1.7 nothing").decode()
    bad = client.post(
        f"{ORG}/documents",
        {"title": "Bad", "pdf_base64": fake},
        content_type="application/json",
        **ben,
    )
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "pdf"
    bad = client.post(
        f"{ORG}/documents", {"title": "", "text": "x"}, content_type="application/json", **ben
    )
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "title"
    anonymous = client.post(
        f"{ORG}/documents", {"title": "x", "text": "x"}, content_type="application/json"
    )
    assert anonymous.status_code == 401
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()


def test_members_only_documents_never_reach_outsiders(client, world, curator, token_for):
    secret = services.propose_document(
        world.ben,
        world.org,
        title="Strike fund balance",
        text="We hold 40,000 in the fund.",
        visibility="members",
    )
    services.decide(curator, secret.versions.get(), publish=True, reason="For members.")
    for path in (f"{ORG}/documents", f"{ORG}/search?q=fund", f"{ORG}/documents/{secret.pk}"):
        body = client.get(path).content.decode()
        assert "Strike fund" not in body and "40,000" not in body
    assert client.get(f"{ORG}/documents/{secret.pk}").status_code == 404
    audit = client.get("/api/v1/organisations/test-union/audit").content.decode()
    assert "Strike fund" not in audit
    member = client.get(f"{ORG}/search?q=funds", **token_for("ana")).json()
    assert [h["id"] for h in member] == [secret.pk]
