"""Template helpers of the networks pages."""

from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """``mapping[key]`` in a template (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
