"""Template helpers for the assembly pages."""

from django import template

from tribune.assemblies.sessions import rule_text

register = template.Library()

KINDS = {"+": "added", "-": "removed", "@": "hunk"}


@register.filter
def difflines(diff: str) -> list[tuple[str, str]]:
    """Lines of a unified diff with a class for each, so additions and deletions stand out."""
    return [(KINDS.get(line[:1], ""), line) for line in diff.splitlines()]


@register.filter
def clock(seconds: int | None) -> str:
    """Seconds as m:ss (negative when a speaker runs over)."""
    if seconds is None:
        return ""
    sign, seconds = ("−", -seconds) if seconds < 0 else ("", seconds)
    return f"{sign}{seconds // 60}:{seconds % 60:02d}"


@register.filter
def majority(rule: dict | None) -> str:
    """A vote's stored majority rule in the reader's language (``sessions.rule_text``)."""
    return rule_text(rule)
