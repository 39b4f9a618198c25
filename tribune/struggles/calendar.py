"""Calendar feeds (iCalendar, RFC 5545) built with the ``icalendar`` library.

Each event's UID is its uid at this server's host, stable across every edit;
SEQUENCE is the event's change counter; a cancelled event stays in the feed
with STATUS:CANCELLED so calendars remove it; the event's page is in URL and
at the end of DESCRIPTION.
"""

import zoneinfo
from urllib.parse import urlparse

from django.conf import settings
from icalendar import Calendar
from icalendar import Event as VEvent

from tribune.struggles.services.events import link


def _site() -> str:
    return settings.TRIBUNE_SITE_URL.rstrip("/")


def feed(events, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Tribune//struggles//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    host = urlparse(_site()).hostname or "tribune"
    for event in events:
        zone = zoneinfo.ZoneInfo(event.time_zone)
        # An event shared from another server (tribune.networks.sharing.RemoteEvent) keeps
        # its own server's page and host, so its UID is the same in every feed.
        page = getattr(event, "page", None) or _site() + link(event)
        item = VEvent()
        item.add("uid", f"{event.uid}@{getattr(event, 'host', None) or host}")
        item.add("dtstamp", event.updated_at)
        item.add("dtstart", event.starts_at.astimezone(zone))
        item.add("dtend", event.ends_at.astimezone(zone))
        item.add("sequence", event.sequence)
        item.add("summary", event.title)
        description = event.description
        if event.link:
            description = f"{description}\n\n{event.link}".strip()
        item.add("description", f"{description}\n\n{page}".strip())
        item.add("url", event.link or page)
        if event.place:
            item.add("location", event.place)
        item.add("status", "CANCELLED" if event.cancelled_at else "CONFIRMED")
        item.add("last-modified", event.updated_at)
        calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()
