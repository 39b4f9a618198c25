"""Word-level differences between two Markdown texts, rendered for people.

Members compare versions of a constitution, a programme or a platform as
text they read, not as a unified diff: words removed are struck through
(``<del>``), words added are marked (``<ins>``), in the rendered Markdown.
The matching is the standard library's ``difflib.SequenceMatcher`` over word
tokens; marks are carried through the Markdown renderer as private-use
characters and become tags afterwards, and the result is sanitised again so a
mark that straddles Markdown's own markup still yields well-formed HTML.
"""

import html
import re
from difflib import SequenceMatcher

import nh3

from tribune.lib import markdown

INS_OPEN, INS_CLOSE, DEL_OPEN, DEL_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003"
_SENTINELS = re.compile("[\ue000-\ue003]")
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_SENTINELS.sub("", text or ""))


def _mark(tokens: list[str], opening: str, closing: str) -> str:
    """Wrap a run line by line, so a mark never spans a Markdown block boundary."""
    lines = "".join(tokens).split("\n")
    return "\n".join(f"{opening}{line}{closing}" if line.strip() else line for line in lines)


def _runs(a: list[str], b: list[str]) -> list[tuple[bool, list[str], list[str]]]:
    """(same, old tokens, new tokens) runs; a change separated from the next one by
    whitespace only is one change, so "its electorate" → "the members" reads as a phrase."""
    runs: list[tuple[bool, list[str], list[str]]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        runs.append((op == "equal", a[i1:i2], b[j1:j2]))
    merged: list[tuple[bool, list[str], list[str]]] = []
    for index, (same, old, new) in enumerate(runs):
        between_changes = (
            same
            and 0 < index < len(runs) - 1
            and not runs[index + 1][0]
            and all(t.isspace() for t in old)
        )
        if between_changes or not same:
            if merged and not merged[-1][0]:
                _, old_before, new_before = merged.pop()
                old, new = old_before + old, new_before + new
            merged.append((False, old, new))
        else:
            merged.append((True, old, new))
    return merged


def marked_source(old: str, new: str) -> str:
    """The new text with the old one's removed words kept and both kinds of change marked."""
    out = []
    for same, removed, added in _runs(_tokens(old), _tokens(new)):
        if same:
            out.append("".join(removed))
            continue
        if removed:
            out.append(_mark(removed, DEL_OPEN, DEL_CLOSE))
        if added:
            out.append(_mark(added, INS_OPEN, INS_CLOSE))
    return "".join(out)


def render_changes(old: str, new: str) -> str:
    """Sanitised HTML of ``new`` as rendered Markdown, with the changes from ``old`` marked."""
    html = markdown.render(marked_source(old, new))
    for sentinel, tag in (
        (INS_OPEN, "<ins>"),
        (INS_CLOSE, "</ins>"),
        (DEL_OPEN, "<del>"),
        (DEL_CLOSE, "</del>"),
    ):
        html = html.replace(sentinel, tag)
    return nh3.clean(
        html,
        tags=markdown.ALLOWED_TAGS | {"ins", "del"},
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )


def render_plain_changes(old: str, new: str) -> str:
    """Escaped HTML of plain ``new`` text (a motion's lines), with the changes from ``old`` marked.

    For text that is not Markdown: line breaks are kept (show it in a ``<pre>``).
    """
    escaped = html.escape(marked_source(old, new))
    for sentinel, tag in (
        (INS_OPEN, "<ins>"),
        (INS_CLOSE, "</ins>"),
        (DEL_OPEN, "<del>"),
        (DEL_CLOSE, "</del>"),
    ):
        escaped = escaped.replace(sentinel, tag)
    return escaped


def changed(old: str, new: str) -> bool:
    return _tokens(old) != _tokens(new)
