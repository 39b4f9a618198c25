"""Markdown for everything members write: markdown-it-py renders, nh3 sanitises.

Raw HTML in the source is escaped by markdown-it (``html=False``) and the
output still passes through nh3's allow-list, so a platform or mandate text can
never carry script into another member's browser.
"""

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render(text: str) -> str:
    """Return sanitised HTML for Markdown ``text``."""
    return nh3.clean(
        _md.render(text or ""),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
