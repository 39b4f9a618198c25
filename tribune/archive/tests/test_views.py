"""Archive pages: public reading without an account, proposing, curating, comparing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tribune.archive import services
from tribune.archive.models import Document
from tribune.archive.samplepdf import simple_pdf


def _url(world, name, *args):
    return reverse(f"web:{name}", args=[world.org.slug, *args])


def _publish(world, curator, title, text, **kw):
    document = services.propose_document(world.ben, world.org, title=title, text=text, **kw)
    services.decide(curator, document.versions.get(), publish=True, reason="Ours.")
    return document


def test_the_public_reads_public_documents_but_never_members_only_ones(client, world, curator):
    public = _publish(world, curator, "Rent strike history", "The strike of 1972 won.")
    secret = _publish(
        world,
        curator,
        "Bargaining fallback",
        "Our lowest offer is nine percent.",
        visibility="members",
    )
    services.propose_document(world.ben, world.org, title="Unpublished draft", text="Draft words.")
    page = client.get(_url(world, "archive")).content.decode()
    assert "Rent strike history" in page
    assert "Bargaining fallback" not in page and "Unpublished draft" not in page
    assert client.get(_url(world, "archive_document", public.pk)).status_code == 200
    assert client.get(_url(world, "archive_document", secret.pk)).status_code == 404
    found = client.get(_url(world, "archive") + "?q=strikes").content.decode()
    assert "<mark>strike</mark>" in found
    for query in ("lowest", "fallback", "draft"):
        page = client.get(_url(world, "archive") + f"?q={query}").content.decode()
        assert "Bargaining" not in page and "nine percent" not in page and "Draft words" not in page
    audit = client.get(reverse("web:audit", args=[world.org.slug])).content.decode()
    assert "Bargaining" not in audit and "lowest" not in audit
    client.force_login(world.users["ana"])
    assert "Bargaining fallback" in client.get(_url(world, "archive")).content.decode()


def test_a_member_proposes_a_pdf_and_a_curator_publishes_it(client, world, curator):
    client.force_login(world.users["ben"])
    pdf = SimpleUploadedFile(
        "minutes.pdf",
        simple_pdf([["Minutes of the tenants' assembly", "Quorum was met."]]),
        content_type="application/pdf",
    )
    response = client.post(
        _url(world, "archive_propose"),
        {
            "title": "Assembly minutes",
            "kind": "document",
            "visibility": "public",
            "language": "en",
            "text": "",
            "pdf": pdf,
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert "Quorum" in document.versions.get().text
    refused = client.post(
        _url(world, "archive_decide", document.pk, 1), {"outcome": "publish", "reason": "Mine."}
    )
    assert refused.status_code == 403
    client.force_login(world.users["cam"])
    empty = client.post(_url(world, "archive_decide", document.pk, 1), {"outcome": "publish"})
    assert empty.status_code == 400 and "required" in empty.content.decode()
    client.post(
        _url(world, "archive_decide", document.pk, 1),
        {"outcome": "publish", "reason": "Accurate minutes."},
    )
    client.logout()
    assert "Assembly minutes" in client.get(_url(world, "archive") + "?q=quorum").content.decode()
    download = client.get(_url(world, "archive_pdf", document.pk, 1))
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")


def test_proposing_without_text_or_pdf_is_a_form_error(client, world):
    client.force_login(world.users["ben"])
    response = client.post(
        _url(world, "archive_propose"),
        {"title": "Empty", "kind": "document", "visibility": "public", "language": "en"},
    )
    assert response.status_code == 400
    assert "Write the text, or upload a PDF." in response.content.decode()
    assert not Document.objects.exists()


def test_any_two_versions_compare_and_restore(client, world, curator):
    document = _publish(world, curator, "Founding statement", "We organise tenants.")
    services.propose_version(
        world.cam, document, title="Founding statement", text="We organise tenants and workers."
    )
    client.force_login(world.users["ben"])
    page = client.get(_url(world, "archive_compare", document.pk) + "?old=2&new=1")
    assert page.status_code == 200 and "<del> and workers</del>" in page.content.decode()
    assert client.get(_url(world, "archive_compare", document.pk) + "?old=9").status_code == 404
    assert client.get(_url(world, "archive_compare", document.pk) + "?old=x").status_code == 404
    client.post(_url(world, "archive_restore", document.pk, 1))
    assert document.versions.count() == 3
    client.logout()  # the public compares published versions only
    assert (
        client.get(_url(world, "archive_compare", document.pk) + "?old=1&new=2").status_code == 404
    )


def test_a_linked_item_shows_referenced_by_on_its_own_page(client, world, curator):
    from tribune.debate import services as debate

    thread = debate.open_thread(world.ana, world.org, title="After the strike", text="What now?")
    document = _publish(world, curator, "Strike report", "It ended well.")
    secret = _publish(world, curator, "Strike fund ledger", "Figures.", visibility="members")
    services.add_link(world.ben, document, target="thread", ref=str(thread.pk))
    services.add_link(world.ben, secret, target="thread", ref=str(thread.pk))
    client.force_login(world.users["ana"])
    page = client.get(reverse("web:thread", args=[world.org.slug, thread.pk])).content.decode()
    assert "Referenced by in the archive" in page
    assert "Strike report" in page and "Strike fund ledger" in page
    assert thread.title in client.get(_url(world, "archive_document", document.pk)).content.decode()
