"""URIs: this server's base address, and the origin a URI belongs to."""

from urllib.parse import urlsplit

from django.conf import settings


def site() -> str:
    """This server's public base address (TRIBUNE_SITE_URL), without a trailing slash."""
    return settings.TRIBUNE_SITE_URL.rstrip("/")


def origin(uri: str) -> str:
    """``scheme://host[:port]`` of a URI (lower case): whose server it is on."""
    parts = urlsplit(uri)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def is_local(uri: str) -> bool:
    return origin(uri) == origin(site())
