"""The unread-notification count the navigation shows on every page."""

from django import template

from tribune.debate import services

register = template.Library()


@register.simple_tag
def unread_count(member) -> int:
    """Unread notifications of ``member`` (0 for anyone not in good standing)."""
    if member is None or not getattr(member, "in_good_standing", False):
        return 0
    return services.unread_notifications(member).count()
