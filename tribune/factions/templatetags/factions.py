"""Faction information shown on other apps' pages (so their views need not change)."""

from django import template

from tribune.factions import services

register = template.Library()


@register.simple_tag
def proportionality(election) -> list[dict]:
    """Seats by declared faction against first preferences: after a multi-seat count only."""
    from tribune.elections.models import Status

    if election.seats <= 1 or election.status not in (Status.COUNTED, Status.CERTIFIED):
        return []
    return services.proportionality(election)
