"""Checks shared by the struggle services."""

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _t

from tribune.lib.errors import RuleViolation
from tribune.lib.inputs import check_moment, clean_text


def text(value, *, field: str, max_length: int, required: bool = True, one_line=True) -> str:
    if value is not None and not isinstance(value, str):
        raise RuleViolation(_t("Give text here."), field)
    value = (value or "").strip()
    clean_text(value, field=field, max_length=max_length, one_line=one_line)
    if required and not value:
        raise RuleViolation(_t("This field is required."), field)
    return value


def moment(value, *, field: str) -> datetime:
    if value is None:
        raise RuleViolation(_t("This field is required."), field)
    if not isinstance(value, datetime):
        raise RuleViolation(_t("Give a date and time."), field)
    if value.tzinfo is None:
        raise RuleViolation(_t("Give a time zone with the time."), field)
    check_moment(value, field=field)
    return value


def whole(value, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleViolation(_t("Give a whole number."), field)
    if not low <= value <= high:
        raise RuleViolation(
            _t("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}, field
        )
    return value


def uri(kind: str, uid) -> str:
    """The stable, server-wide identifier of an object that may cross servers."""
    return f"{settings.TRIBUNE_SITE_URL.rstrip('/')}/id/{kind}/{uid}"


def branch_of(organisation, slug: str | None, field: str = "branch"):
    """The organisation's branch by short name; None (the whole organisation) when empty."""
    if not slug:
        return None
    branch = organisation.branches.filter(slug=slug).first()
    if branch is None:
        raise RuleViolation(_t("No branch has this short name here."), field)
    if branch.parent_id is None:
        return None  # the root branch is the organisation as a whole
    return branch
