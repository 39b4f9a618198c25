"""Request bodies that several routers share.

The OpenAPI document names each schema by its class name and keeps one schema
a name, so two classes of one name in two routers would silently document
only one of them (``tribune/api/tests/test_schema_names.py`` refuses that).
A body that means the same everywhere is defined once, here.
"""

from ninja import Schema


class ReasonIn(Schema):
    """A written reason: for a refusal, a suspension, a cancellation, a restoration…"""

    reason: str


class TextIn(Schema):
    """A text: a reply in a debate, a faction's platform."""

    text: str
