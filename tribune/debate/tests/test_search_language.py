"""Debate search matches words as the archive does (issue 14: one search layer, stemmed).

The same queries give the same posts, in the same order, on SQLite and PostgreSQL
(CI runs this file on both): ``strikes`` finds ``strike`` and ``strikers``,
``huelgas`` finds ``huelga``; a thread whose title matches brings its posts.
Before migration 0006 neither engine stemmed a post's words: ``strikes`` found
none of these posts and ``huelgas`` none of the Spanish ones.
"""

from django.conf import settings

from tribune.debate import services
from tribune.lib.search import offered_configs, pg_config

POSTS = [
    ("Linden Court", "Forty households struck over the cold."),
    (None, "The strikers' song, sung on the picket line."),
    (None, "Knock on every door; organise before you strike."),
    ("Tenants' handbook", "Rights of tenants facing eviction."),
    ("Alquileres en Linden", "Cuarenta hogares en huelga."),
    (None, "Las asambleas de inquilinos deciden."),
]
# Newest first, as debate search orders its results.
EXPECTED = {
    "strikes": [
        "Knock on every door; organise before you strike.",
        "The strikers' song, sung on the picket line.",
    ],
    "striking": [
        "Knock on every door; organise before you strike.",
        "The strikers' song, sung on the picket line.",
    ],
    "huelgas": ["Cuarenta hogares en huelga."],
    "inquilino": ["Las asambleas de inquilinos deciden."],
    "organising": ["Knock on every door; organise before you strike."],
    "tenant evictions": ["Rights of tenants facing eviction."],
    # A thread's title stemmed too: every post of "Alquileres en Linden".
    "alquiler": ["Las asambleas de inquilinos deciden.", "Cuarenta hogares en huelga."],
}


def _write(world):
    thread = None
    for title, text in POSTS:
        if title:
            thread = services.open_thread(world.ben, world.org, title=title, text=text)
        else:
            services.reply(world.ana, thread, text)


def test_the_same_query_gives_the_same_posts_on_either_engine(world):
    _write(world)
    for query, texts in EXPECTED.items():
        assert [p.text for p in services.search(world.eli, world.org, query)] == texts, query


def test_a_hidden_post_is_still_not_found_by_its_stem(world):
    from tribune.offices.models import BodyKind, TermSource
    from tribune.offices.services import begin_term, create_body, create_office

    body = create_body(world.org, name="Stewards", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Steward", mandate="Rules.", powers=["moderate_debate"])
    begin_term(office, world.cam, source=TermSource.ELECTION)
    _write(world)
    song = world.org.threads.get(title="Linden Court").posts.get(text__startswith="The strikers")
    rule = world.org.debate_rules.get(number=3)
    services.hide_post(world.cam, song, rule=rule, reason="Off topic.")
    assert [p.text for p in services.search(world.eli, world.org, "strike")] == [
        "Knock on every door; organise before you strike."
    ]


def test_every_offered_language_is_stemmed():
    """A language added to settings.LANGUAGES needs the posts' index rebuilt with it
    (a migration like debate 0006) and ``POST_CONFIGS`` to name it."""
    assert set(offered_configs()) <= set(services.POST_CONFIGS)
    assert {pg_config(code) for code, _ in settings.LANGUAGES} >= set(services.POST_CONFIGS)
