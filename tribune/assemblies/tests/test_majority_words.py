"""A vote's majority rule is read in the reader's language; the record keeps its words.

The rule is stored with the vote by its parameters (``kind``, threshold, base) and
the words of the moment it opened (``name``); pages compose the words anew.
"""

import html

from django.test import Client
from django.utils import translation

from tribune.assemblies import services, sessions
from tribune.assemblies.tests.sitting import begin
from tribune.assemblies.tests.test_views import congress, convenor  # noqa: F401
from tribune.audit.models import AuditEntry

SIMPLE_ES = "mayoría simple (más síes que noes)"
SIMPLE_EN = "simple majority (more yes than no)"


def _spanish(world, short: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(world.users[short])
    return client


def test_the_rule_opened_in_english_reads_in_spanish(world, congress):  # noqa: F811
    motion = services.table_motion(world.ben, congress, title="Rents", text="1. Freeze.")
    begin(world.eli, congress)
    with translation.override("en"):
        vote = services.open_vote(world.eli, congress, motion=motion)
    rule = vote.election.motion_rule
    assert rule["kind"] == "simple" and rule["name"] == SIMPLE_EN  # the record's words
    entry = AuditEntry.objects.get(action="assembly.vote_opened")
    assert entry.data["rule"] == SIMPLE_EN  # the audit payload is as before
    ben = _spanish(world, "ben")
    base = f"/o/test-union/assemblies/{congress.pk}/"

    def read(page: str) -> str:
        return html.unescape(ben.get(f"{base}{page}").content.decode())

    for page in ("", "live/"):
        assert SIMPLE_ES in read(page) and SIMPLE_EN not in read(page), page
    services.close_vote(world.eli, vote)
    for page in ("projector/", "minutes/"):  # the last vote's rule; the minutes' line
        assert SIMPLE_ES in read(page) and SIMPLE_EN not in read(page), page


def test_rules_stored_before_kind_are_recognised_by_their_words():
    with translation.override("es"):
        assert sessions.rule_text({"threshold": "1/2", "name": SIMPLE_EN}) == SIMPLE_ES
        constitutional = {"kind": "constitution", "threshold": "2/3", "name": "x"}
        assert "2/3" in sessions.rule_text(constitutional)
        assert sessions.rule_text({"name": "a rule of its own"}) == "a rule of its own"
