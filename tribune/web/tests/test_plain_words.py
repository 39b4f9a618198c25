"""No code word from the registries reaches a page: people read labels.

The pages changed for issue 13 (home, organisation, audit log, bodies, offices,
elections and their results, recall petitions, assemblies) are read as an
officer, a member and a visitor of the demo; their visible text must not hold a
power's key (``convene_assemblies``), an audit action's name (``election.called``)
or a status value spelt as code (``voting_closed``).
"""

import html
import re

import pytest
from django.apps import apps
from django.db import models

from tribune.audit.labels import ACTION_LABELS
from tribune.offices.powers import FACTION_POWERS, POWERS


def code_words() -> set[str]:
    words = set(POWERS) | set(FACTION_POWERS) | set(ACTION_LABELS)
    for model in apps.get_app_configs():
        if not model.name.startswith("tribune."):
            continue
        for m in model.get_models():
            for f in m._meta.fields:
                if isinstance(f, models.CharField) and f.choices:
                    # Values spelt as code: an underscore or a hyphen (not "open", "done").
                    words.update(
                        str(value)
                        for value, _label in f.flatchoices
                        if "_" in str(value) or "-" in str(value)
                    )
    return words


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)  # tags, with their attributes
    return html.unescape(page)


def found_in(text: str, words: set[str]) -> list[str]:
    return sorted(
        w for w in words if re.search(r"(?<![\w./-])" + re.escape(w) + r"(?![\w/-])", text)
    )


@pytest.fixture
def demo(db):
    from tribune.organisations.demo import create_demo

    return create_demo(members=80)


def test_pages_speak_plain_words(client, demo):
    from django.contrib.auth import get_user_model

    from tribune.assemblies.models import Assembly
    from tribune.elections.models import Election, RecallPetition
    from tribune.offices.models import Office

    slug = demo.slug
    paths = ["/", f"/o/{slug}/", f"/o/{slug}/audit/", f"/o/{slug}/bodies/", f"/o/{slug}/elections/"]
    paths += [e.get_absolute_url() for e in Election.objects.filter(organisation=demo)[:12]]
    paths += [
        p.get_absolute_url()
        for p in RecallPetition.objects.filter(term__office__body__organisation=demo)
    ]
    paths += [
        f"/o/{slug}/offices/{o.pk}/" for o in Office.objects.filter(body__organisation=demo)[:6]
    ]
    paths += [a.get_absolute_url() for a in Assembly.objects.filter(organisation=demo)]
    words = code_words()
    assert {"convene_assemblies", "election.called", "voting_closed"} <= words
    users = get_user_model().objects
    checked = 0
    for who in (None, "ana@example.org", "ben@example.org"):
        client.logout()
        if who:
            client.force_login(users.get(email=who))
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (who, path)
            found = found_in(visible_text(response.content.decode()), words)
            assert found == [], f"{path} as {who or 'a visitor'} shows {found}"
            checked += 1
    print(f"plain words: {checked} pages checked, {len(words)} code words")


def test_the_checker_sees_a_code_word():
    page = "<p title='voting_closed'>Powers: convene_assemblies</p><p>election.called</p>"
    assert found_in(
        visible_text(page), {"convene_assemblies", "voting_closed", "election.called"}
    ) == [
        "convene_assemblies",
        "election.called",
    ]
