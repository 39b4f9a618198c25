"""Full-text search, one layer for every area that searches members' writing.

The same query finds the same rows on SQLite and PostgreSQL:

* **SQLite**: an FTS5 table beside the searched table (``<table>_fts``, rowid =
  the row's id, columns ``title`` and ``body``) with the ``porter`` tokenizer,
  so ``strikes`` finds ``strike`` and ``organising`` finds ``organised``.
* **PostgreSQL**: a ``search_vector`` tsvector column on the searched table
  (title weighted ``A``, body ``D``) under a GIN index, filled with the text
  search configuration of the row's language (``english``, ``french``…), so
  stemming follows the language the text is written in.

Both are written by ``SearchIndex.put`` inside the action's transaction (no
trigger, so a row is indexed with exactly what the action decided may be
found). A query is its words, each a required prefix; no search syntax of
either engine leaks through. Results are ordered the same way on both
engines — rows whose title holds every word first — so neither engine's
relevance score decides which results come first, and the top results agree.

``excerpt`` cuts a passage around the first matching word and marks every
matching word with ``<mark>``, escaped, for a results page or an API answer.

The debate space (``tribune.debate``) searches through this layer too, with
the same matching: its posts' index is kept by triggers (so a hidden post's
words leave it at once) and declared here with ``pg_vector``/``pg_where``;
``SearchIndex.matching`` gives it the ids, and it adds the posts of threads
whose title matches. A post's language is not known, so on PostgreSQL its text
is stemmed in every language the server offers (``any_language``) and the
query read in each; on SQLite its FTS5 table has the archive's tokenizer.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.html import escape

# PostgreSQL's text search configuration for each language a text may be in;
# a language without one is matched word for word ('simple').
PG_CONFIGS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}
MAX_WORDS = 12
_WORD = re.compile(r"\w+")


def words(query: str) -> list[str]:
    """The query's words, lower-cased, at most ``MAX_WORDS`` of them (no engine syntax)."""
    return [w.lower() for w in _WORD.findall(query or "")][:MAX_WORDS]


def pg_config(language: str) -> str:
    return PG_CONFIGS.get((language or "").split("-")[0].lower(), "simple")


def offered_configs() -> list[str]:
    """The stemming configurations of the languages the server offers ('simple' if none)."""
    found = sorted({pg_config(code) for code, _name in settings.LANGUAGES} - {"simple"})
    return found or ["simple"]


def any_language(column: str, configs: tuple[str, ...]) -> str:
    """SQL: ``column`` as one tsvector stemmed in each of ``configs``, for text of unknown language.

    An expression index must be written with exactly this text for a query to use it.
    """
    return "(" + " || ".join(f"to_tsvector('{c}', {column})" for c in configs) + ")"


def _configs() -> list[str]:
    """The configurations of the languages the server offers (a query is read in each)."""
    return sorted({pg_config(code) for code, _name in settings.LANGUAGES} | {"simple"})


def _fts5(found: list[str], column: str | None = None) -> str:
    terms = " AND ".join('"' + w.replace('"', '""') + '"*' for w in found)
    return f"{column} : ({terms})" if column else terms


def _tsquery(found: list[str]) -> str:
    # \w+ words hold no tsquery operators; quoting keeps digits and apostrophes literal.
    return " & ".join(f"'{w}':*" for w in found)


@dataclass(frozen=True)
class SearchIndex:
    """The index of one table: ``table`` (its db_table) searched by title and body.

    By default the index is the one ``put`` writes (a ``search_vector`` column in
    the row's language). A table whose index is kept otherwise names it:
    ``pg_vector`` the indexed tsvector expression, ``pg_configs`` the one or few
    configurations it is built with, ``pg_where`` a partial index's predicate
    (repeated so the planner may use it). The debate's posts are indexed so:
    ``any_language('text', ("english", "spanish")) WHERE NOT hidden``, kept by
    triggers.
    """

    table: str
    pg_vector: str = "search_vector"
    pg_configs: tuple[str, ...] = ()
    pg_where: str = ""

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    def configs(self) -> list[str]:
        return list(self.pg_configs) or _configs()

    def matching(self, query: str) -> tuple[str, list]:
        """``SELECT id …`` of the rows holding every word of ``query``, from the index alone.

        For callers that combine it with more (the debate adds posts of threads
        whose title matches). An empty query matches nothing.
        """
        found = words(query)
        if not found:
            return f"SELECT id FROM {self.table} WHERE 1 = 0", []
        if connection.vendor == "postgresql":
            configs = self.configs()
            tests = " OR ".join(f"{self.pg_vector} @@ to_tsquery('{c}', %s)" for c in configs)
            where = f"{self.pg_where} AND ({tests})" if self.pg_where else tests
            return f"SELECT id FROM {self.table} WHERE {where}", [_tsquery(found)] * len(configs)
        return f"SELECT rowid FROM {self.fts} WHERE {self.fts} MATCH %s", [_fts5(found)]

    def tsquery(self, query: str) -> str:
        """``query`` as a tsquery of required prefixes (for a caller's own PostgreSQL clause)."""
        return _tsquery(words(query))

    # --- writing (call inside the action's transaction) --------------------------------

    def put(self, pk: int, *, title: str, body: str, language: str) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                config = pg_config(language)
                cursor.execute(
                    f"UPDATE {self.table} SET title_vector = to_tsvector(%s::regconfig, %s), "
                    "search_vector = setweight(to_tsvector(%s::regconfig, %s), 'A') || "
                    "setweight(to_tsvector(%s::regconfig, %s), 'D') WHERE id = %s",
                    [config, title, config, title, config, body, pk],
                )
            else:
                cursor.execute(f"DELETE FROM {self.fts} WHERE rowid = %s", [pk])
                cursor.execute(
                    f"INSERT INTO {self.fts}(rowid, title, body) VALUES (%s, %s, %s)",
                    [pk, title, body],
                )

    def drop(self, pk: int) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {self.table} SET search_vector = NULL, title_vector = NULL "
                    "WHERE id = %s",
                    [pk],
                )
            else:
                cursor.execute(f"DELETE FROM {self.fts} WHERE rowid = %s", [pk])

    # --- reading ------------------------------------------------------------------------

    def _condition(self, found: list[str], title_only: bool) -> RawSQL:
        if connection.vendor == "postgresql":
            # The title test reads the small ``title_vector``, never the whole text's
            # vector: testing "in the title" on ``search_vector`` (weight A) read and
            # decompressed some 2,500 words' vector for every match, which was most of a
            # common word's cost.
            column = "title_vector" if title_only else "search_vector"
            tests = " OR ".join(
                f"{self.table}.{column} @@ to_tsquery('{config}', %s)" for config in _configs()
            )
            return RawSQL(f"({tests})", [_tsquery(found)] * len(_configs()), BooleanField())
        match = _fts5(found, "title" if title_only else None)
        return RawSQL(
            f"{self.table}.id IN (SELECT rowid FROM {self.fts} WHERE {self.fts} MATCH %s)",
            [match],
            BooleanField(),
        )

    def _matching(self, found: list[str]) -> RawSQL:
        """The rows holding every word, as ids from the index alone (see ``ids``)."""
        sql, params = self.matching(" ".join(found))
        if connection.vendor == "postgresql":
            # OFFSET 0 keeps the match a subquery of its own, answered from the GIN
            # index alone: pulled up into the outer query, the planner turned it into a
            # test of each row's vector. It is then hashed and joined to the rows the
            # outer query reads anyway. (``id = ANY(ARRAY(…))`` before: for a common
            # word, 20,000 probes of the primary key, 42,000 buffers against 2,500.)
            return RawSQL(f"{self.table}.id IN ({sql} OFFSET 0)", params, BooleanField())
        return RawSQL(f"{self.table}.id IN ({sql})", params, BooleanField())

    def search(self, queryset, query: str, *, newest: str):
        """``queryset`` narrowed to rows matching every word of ``query``, best first.

        Rows whose title holds every word come first, then the rest; within
        each, ``newest`` (a field name) descending, then id: an order both
        engines compute alike. An empty query finds nothing.
        """
        found = words(query)
        if not found:
            return queryset.none()
        return (
            queryset.filter(self._matching(found))
            .annotate(in_title=self._condition(found, title_only=True))
            .order_by("-in_title", f"-{newest}", "-pk")
        )

    def ids(self, queryset, query: str, *, newest: str, limit: int) -> list[int]:
        """The ids of the first ``limit`` rows ``search`` finds, in its order.

        On PostgreSQL the query runs with table and plain index scans turned
        off for its transaction, leaving the bitmap scans: the planner counts a
        ``search_vector`` test as cheap, but each one decompresses a TOASTed
        vector of a whole text (some 2,500 words for five pages), so for a
        common word it scanned the table and read every vector (p95 ~1 s at
        20,000 documents). The GIN index answers the match without reading one
        (no weights, no recheck); the order reads the small ``title_vector``.
        """
        found = self.search(queryset, query, newest=newest).values_list("pk", flat=True)[:limit]
        if connection.vendor != "postgresql":
            return list(found)
        with transaction.atomic(), connection.cursor() as cursor:
            # One round trip for both (on a loaded server each costs milliseconds).
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true), "
                "set_config('enable_indexscan', 'off', true)"
            )
            return list(found)


def _stem(word: str) -> str:
    """A crude stem for marking words in an excerpt (the engines do the real matching)."""
    for suffix in ("ing", "ers", "ies", "es", "ed", "er", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _first_word_starting(text: str, stems: list[str]) -> int:
    """Where the first word beginning with one of ``stems`` starts (0 if none): found with
    ``str.find`` over the lower-cased text, which is C-fast on a long document."""
    lower = text.lower()
    best = -1
    for stem in stems:
        at = lower.find(stem)
        while at > 0 and (lower[at - 1].isalnum() or lower[at - 1] == "_"):
            at = lower.find(stem, at + 1)
        if at >= 0 and (best < 0 or at < best):
            best = at
    return max(best, 0)


def excerpt(text: str, query: str, width: int = 240) -> str:
    """Safe HTML: a passage of ``text`` around the first word matching ``query``, marked.

    A word matches when it begins with a query word's stem (``strikes`` marks
    ``strike`` and ``strikers``); one regular expression finds the first, so a
    long document costs one scan in C, not a Python call per word.
    """
    stems = sorted({_stem(w) for w in words(query)}, key=len, reverse=True)
    if not text or not stems:
        return escape(" ".join((text or "")[: width * 2].split())[:width])
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, stems)) + r")\w*", re.IGNORECASE)
    first = _first_word_starting(text, stems)
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    passage = " ".join(text[start:end].split())
    out, last = [], 0
    for m in pattern.finditer(passage):
        out.append(escape(passage[last : m.start()]))
        out.append(f"<mark>{escape(m.group())}</mark>")
        last = m.end()
    out.append(escape(passage[last:]))
    return ("… " if start else "") + "".join(out) + (" …" if end < len(text) else "")
