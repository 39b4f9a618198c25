"""The projector's live-vote bar and result bar, and the majority rule's code in the API.

The bars are counts only: voted of those present while the vote is open, then yes,
no and abstain. The browser keeps the open bar up to date from the published
events' ``cast`` (vote_progress) and ``present`` (attendance).
"""

from django.test import Client
from django.utils import translation

from tribune.assemblies import services, sessions
from tribune.assemblies.tests.sitting import begin
from tribune.assemblies.tests.test_views import congress, convenor  # noqa: F401

BASE = "/o/test-union/assemblies/{pk}/"
API = "/api/v1/organisations/test-union/assemblies/{pk}/votes"


def _vote(world, congress):  # noqa: F811
    motion = services.table_motion(world.ben, congress, title="Rents", text="1. Freeze.")
    begin(world.eli, congress)
    with translation.override("en"):
        return services.open_vote(world.eli, congress, motion=motion)


def test_the_projector_shows_voted_of_present_then_the_result(world, congress):  # noqa: F811
    vote = _vote(world, congress)
    present = sessions.attendance(congress).present
    services.cast_live_vote(world.ben, vote, "yes")
    page = Client().get(BASE.format(pk=congress.pk) + "projector/").content.decode()
    bar = page[page.index('id="vote-bar"') :]
    assert 'role="img"' in bar[:400]
    assert f'data-cast="1" data-present="{present}"' in page
    assert '<span id="vote-bar-cast">1</span> voted of' in page
    width = round(360 / present, 1)
    assert f'width="{width}" height="28" class="part part-cast"' in bar
    services.cast_live_vote(world.cam, vote, "no")
    services.close_vote(world.eli, vote)
    page = Client().get(BASE.format(pk=congress.pk) + "projector/").content.decode()
    assert 'id="vote-bar"' not in page
    result = page[page.index('id="result-bar"') :]
    assert 'class="part part-yes"' in result and 'class="part part-no"' in result
    assert 'x="180.0" y="0" width="180.0" height="28" class="part part-no"' in result
    assert "Ben" not in result and "Cam" not in result  # counts, never who


def test_the_api_gives_the_rule_as_a_code_and_in_the_readers_language(world, congress):  # noqa: F811
    vote = _vote(world, congress)
    url = API.format(pk=congress.pk) + f"/{vote.pk}"
    english = Client().get(url).json()
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get(url).json()
    assert english["majority_code"] == spanish["majority_code"] == "simple"
    assert english["majority_label"] == "simple majority (more yes than no)"
    assert spanish["majority_label"] == "mayoría simple (más síes que noes)"
    # The documented field keeps the words recorded when the vote opened.
    assert english["majority"] == spanish["majority"] == "simple majority (more yes than no)"


def test_rule_codes_for_rules_stored_before_and_after_kind():
    assert sessions.rule_code({"kind": "absolute"}) == "absolute"
    assert sessions.rule_code({"name": "simple majority (more yes than no)"}) == "simple"
    assert sessions.rule_code({"kind": "constitution", "threshold": "2/3"}) == "constitution"
    assert sessions.rule_code({"name": "a rule of its own"}) is None
    assert sessions.rule_code(None) is None
