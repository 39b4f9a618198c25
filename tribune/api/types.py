"""Types for the API's path parameters: the limits of ``tribune.lib.inputs`` at the door.

A path names an object, so a value no object can have is "not found" (404), as
on the web pages — not a validation error, and never a 500: a 30-digit id does
not fit SQLite's integers (``OverflowError``) and a NUL in a slug does not fit
PostgreSQL's text (``DataError``) if it reaches a query.
"""

from typing import Annotated

from django.http import Http404
from pydantic import AfterValidator, Field

from tribune.lib.inputs import MAX_ID, MAX_OFFSET, text_problem


def _existing_id(value: int) -> int:
    if abs(value) > MAX_ID:
        raise Http404  # passes through pydantic to the API's 404 handler
    return value


def _path_text(value: str) -> str:
    if text_problem(value, one_line=True, max_length=200):
        raise Http404
    return value


Id = Annotated[int, AfterValidator(_existing_id)]
PathText = Annotated[str, AfterValidator(_path_text)]

# A place in a list and how many to return: no list is longer (and SQLite's
# OFFSET and LIMIT are 64-bit, so a 30-digit offset would be a server error).
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Count = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
