"""The archive: immutable versions, diffs, publication by a mandate, appeals, search."""

import pytest

from tribune.archive import services
from tribune.archive.models import Appeal, DocumentVersion, Link
from tribune.archive.samplepdf import simple_pdf
from tribune.lib.errors import NotFound, NotPermitted, RuleViolation
from tribune.lib.worddiff import render_changes


def _published(world, curator, title="On the rent strike", text="We struck for a month.", **kw):
    document = services.propose_document(world.ben, world.org, title=title, text=text, **kw)
    services.decide(curator, document.versions.get(), publish=True, reason="A clear account.")
    document.refresh_from_db()
    return document


def test_a_version_cannot_be_changed_or_deleted_after_saving(world):
    document = services.propose_document(world.ben, world.org, title="Draft", text="First words.")
    version = document.versions.get()
    version.text = "Rewritten history."
    with pytest.raises(RuleViolation, match="cannot be changed"):
        version.save()
    with pytest.raises(RuleViolation, match="cannot be changed"):
        DocumentVersion.objects.filter(pk=version.pk).update(text="Rewritten.")
    with pytest.raises(RuleViolation, match="cannot be deleted"):
        version.delete()
    with pytest.raises(RuleViolation, match="cannot be deleted"):
        DocumentVersion.objects.filter(pk=version.pk).delete()
    assert DocumentVersion.objects.get(pk=version.pk).text == "First words."


def test_any_two_versions_diff_and_restoring_makes_a_new_version(world):
    document = services.propose_document(
        world.ben, world.org, title="Founding statement", text="We organise tenants."
    )
    services.propose_version(
        world.cam,
        document,
        title="Founding statement",
        text="We organise tenants and workers.",
        note="Workers too.",
    )
    services.propose_version(
        world.ben, document, title="Founding statement", text="We organise workers."
    )
    v1, v2, v3 = document.versions.order_by("number")
    assert "<ins> and workers</ins>" in render_changes(v1.text, v2.text)
    html = render_changes(v3.text, v1.text)  # backwards, skipping one
    assert "<del>workers</del>" in html and "<ins>tenants</ins>" in html
    restored = services.restore_version(world.ana, v1)
    assert (restored.number, restored.text, restored.restored_from) == (4, v1.text, 1)
    assert document.versions.count() == 4  # nothing rewritten


def test_only_a_curator_publishes_with_a_reason_and_it_is_logged(world, curator):
    document = services.propose_document(world.ben, world.org, title="Minutes", text="Held.")
    version = document.versions.get()
    with pytest.raises(NotPermitted):
        services.decide(world.ana, version, publish=True, reason="Looks fine.")
    with pytest.raises(RuleViolation, match="written reason"):
        services.decide(curator, version, publish=True, reason=" ")
    services.decide(curator, version, publish=True, reason="Accurate minutes.")
    document.refresh_from_db()
    assert document.published == version
    entry = world.org.audit_entries.get(action="archive.published")
    assert entry.actor == curator and entry.term is not None
    with pytest.raises(RuleViolation, match="already been decided"):
        services.decide(curator, version, publish=False, reason="Changed my mind.")


def test_a_refusal_is_public_and_appealable_and_an_upheld_appeal_publishes(world, curator):
    document = services.propose_document(world.ben, world.org, title="Polemic", text="Strike now.")
    version = document.versions.get()
    decision = services.decide(curator, version, publish=False, reason="Belongs in the debate.")
    assert services.version_status(version) == "refused"
    with pytest.raises(NotPermitted, match="author"):
        services.appeal_refusal(world.ana, decision, "I disagree.")
    appeal = services.appeal_refusal(world.ben, decision, "It is a record of our position.")
    with pytest.raises(NotPermitted):  # not on the appeal body
        services.decide_appeal(world.ana, appeal, upheld=True, reason="Yes.")
    services.decide_appeal(world.eli, appeal, upheld=True, reason="It is part of our history.")
    document.refresh_from_db()
    assert document.published == version
    assert Appeal.objects.get().status == Appeal.Status.UPHELD
    assert world.org.audit_entries.filter(action="archive.appeal_decided").exists()


def test_members_only_documents_are_hidden_from_the_public(world, curator):
    secret = _published(
        world,
        curator,
        title="Negotiating position",
        text="Our fallback offer.",
        visibility="members",
    )
    public = _published(world, curator, title="Public history", text="Our fallback offer.")
    assert list(services.readable_documents(None, world.org)) == [public]
    with pytest.raises(NotFound):
        services.readable_document(None, world.org, secret.pk)
    assert [d.pk for d in services.search(None, world.org, "fallback")] == [public.pk]
    assert {d.pk for d in services.search(world.ana, world.org, "fallback")} == {
        secret.pk,
        public.pk,
    }
    for entry in world.org.audit_entries.all():
        assert "Negotiating" not in str(entry.target) + str(entry.data)


def test_proposals_are_for_members_and_the_public_sees_only_published_versions(world, curator):
    document = _published(world, curator, text="Version one.")
    services.propose_version(world.ben, document, title="On the rent strike", text="Version two.")
    assert [v.number for v in services.readable_versions(None, document)] == [1]
    assert [v.number for v in services.readable_versions(world.ana, document)] == [1, 2]
    unpublished = services.propose_document(world.ben, world.org, title="Draft", text="Not yet.")
    with pytest.raises(NotFound):
        services.readable_document(None, world.org, unpublished.pk)


def test_search_is_language_aware_and_finds_pdf_words(world, curator):
    strike = _published(world, curator, title="The long strike", text="We held out.")
    pdf = simple_pdf([["Leaflet of the tenants' committee"], ["Rent arrears were forgiven."]])
    leaflet = services.propose_document(
        world.ben, world.org, title="Leaflet", pdf=pdf, pdf_name="leaflet.pdf"
    )
    services.decide(curator, leaflet.versions.get(), publish=True, reason="Our leaflet.")
    assert [d.pk for d in services.search(None, world.org, "strikes")] == [strike.pk]
    assert [d.pk for d in services.search(None, world.org, "arrears")] == [leaflet.pk]
    assert services.search(None, world.org, "") == []
    assert services.search(None, world.org, '"* OR NEAR(') == []  # no engine syntax


def test_title_matches_come_first(world, curator):
    body_only = _published(world, curator, title="Minutes", text="We discussed the strike fund.")
    in_title = _published(world, curator, title="Strike fund report", text="Figures.")
    older_first = [d.pk for d in services.search(None, world.org, "strike fund")]
    assert older_first == [in_title.pk, body_only.pk]


def test_a_file_that_is_not_a_readable_pdf_is_refused(world):
    with pytest.raises(RuleViolation, match="not a PDF") as caught:
        services.propose_document(world.ben, world.org, title="X", pdf=b"hello")
    assert caught.value.field == "pdf"
    with pytest.raises(RuleViolation, match="cannot be read"):
        services.propose_document(world.ben, world.org, title="X", pdf=b"%PDF-1.4 garbage")


def test_lessons_name_their_struggle_and_outsiders_cannot_propose(world):
    with pytest.raises(RuleViolation, match="struggle or campaign") as caught:
        services.propose_document(world.ben, world.org, title="Lessons", text="x", kind="lessons")
    assert caught.value.field == "lessons_of"
    with pytest.raises(NotPermitted):
        services.propose_document(None, world.org, title="Spam", text="Buy now.")


def test_tags_are_per_language_and_links_show_referenced_by(world, curator):
    from tribune.debate import services as debate

    document = _published(world, curator)
    services.set_tags(world.ben, document, ["Rent", "strikes", "rent"])
    assert sorted(t.name for t in document.tags.all()) == ["rent", "strikes"]
    assert {t.language for t in document.tags.all()} == {"en"}
    with pytest.raises(NotPermitted):
        services.set_tags(world.ana, document, ["x"])  # neither proposer nor curator
    thread = debate.open_thread(world.ana, world.org, title="After the strike", text="What now?")
    services.add_link(world.ben, document, target="thread", ref=str(thread.pk))
    with pytest.raises(RuleViolation, match="no such item"):
        services.add_link(world.ben, document, target="election", ref="999999")
    assert services.referenced_by(None, world.org, Link.Target.THREAD, thread.pk) == [document]
    links = services.resolved_links(world.ana, document)
    assert [link["label"] for link in links] == ["After the strike"]
    assert services.resolved_links(None, document) == []  # a thread's title is for members


CORPUS = [
    ("Strike committee minutes", "The committee met; the strike fund is healthy."),
    ("Rent strike at Linden Court", "Forty households struck over heating."),
    ("Organising a stairwell", "Knock on every door; organise before you strike."),
    ("Tenants' handbook", "Rights of tenants facing eviction."),
    ("The strikers' song", "We sang it on the picket line."),
    ("Annual accounts", "Dues, donations and the strike fund."),
    ("Housing demands", "Rent freeze; repairs within 28 days."),
]
# The same results, in the same order, on SQLite and PostgreSQL (CI runs this on both):
# every word stemmed (strikes → strike, strikers), titles holding every word first,
# then the newest published.
EXPECTED = {
    "strikes": [
        "The strikers' song",
        "Rent strike at Linden Court",
        "Strike committee minutes",
        "Annual accounts",
        "Organising a stairwell",
    ],
    "rent strike": ["Rent strike at Linden Court"],
    "organising": ["Organising a stairwell"],
    "tenant evictions": ["Tenants' handbook"],
    "strike fund": ["Annual accounts", "Strike committee minutes"],
}


def test_the_same_query_gives_the_same_top_results_on_either_engine(world, curator):
    for title, text in CORPUS:
        _published(world, curator, title=title, text=text)
    for query, titles in EXPECTED.items():
        found = [d.published.title for d in services.search(None, world.org, query)]
        assert found == titles, query
