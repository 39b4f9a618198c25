"""Template filters shared by all of Tribune's pages."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from tribune.lib import markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    return mark_safe(markdown.render(text))  # noqa: S308 - sanitised by nh3


@register.filter
def deadline(value, organisation=None) -> str:
    """A date and time in the organisation's time zone, naming the zone: ``27 Nov 2026, 18:00 GMT``.

    Every deadline on a page goes through this, so two pages never disagree on a date.
    """
    if not value:
        return ""
    zone = getattr(organisation, "zone", None) or timezone.get_current_timezone()
    return date_format(timezone.localtime(value, zone), "j M Y, H:i T")


@register.filter
def day(value, organisation=None) -> str:
    """A date alone, in the organisation's time zone (for terms and periods)."""
    if not value:
        return ""
    zone = getattr(organisation, "zone", None) or timezone.get_current_timezone()
    return date_format(timezone.localtime(value, zone), "j M Y")


@register.filter
def action_label(action: str) -> str:
    """An audit action (``election.called``) in plain words."""
    from tribune.audit.labels import action_label as label

    return label(action)


@register.filter
def power_label(power: str) -> str:
    """A power of the registry (``convene_assemblies``) in plain words."""
    from tribune.offices.powers import FACTION_POWERS, POWERS

    return str(POWERS.get(power) or FACTION_POWERS.get(power) or power.replace("_", " "))
