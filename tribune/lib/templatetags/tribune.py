"""Template filters shared by all of Tribune's pages."""

from django import template
from django.utils.safestring import mark_safe

from tribune.lib import markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    return mark_safe(markdown.render(text))  # noqa: S308 - sanitised by nh3
