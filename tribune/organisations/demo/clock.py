"""The demo's replaying clock: each action of its history runs on the day the story gives it."""

from datetime import UTC, datetime, timedelta
from unittest import mock

from django.utils import timezone


class Clock:
    """Replays the demo's history: the organisation was founded 60 days ago.

    Every action runs through the real services; only the server clock they
    read is set back, so dates, terms and the audit chain read as a real
    organisation's two months would.
    """

    def __init__(self, days_ago: int):
        self.now = timezone.now() - timedelta(days=days_ago)
        self._patch = mock.patch("django.utils.timezone.now", side_effect=lambda: self.now)

    @staticmethod
    def real_now() -> datetime:
        return datetime.now(UTC)

    def advance(self, **delta) -> None:
        self.now = min(self.now + timedelta(**delta), self.real_now())

    def __enter__(self):
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()
