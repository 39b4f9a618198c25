"""Which handler takes which incoming activity: (type, object type) → function.

Apps register in their ``AppConfig.ready`` (the networks app its Offer, Accept,
Announce of memberships, coalitions and pledge counts; this app its peer links
and witnessing)::

    from tribune.federation.registry import handles

    @handles("Announce", "tribune:PledgeCount")
    def pledge_count(peer, activity: dict) -> None: ...

A handler runs inside the inbox's transaction, after the signature, the link
and the activity's id were checked, and with a relayed object already fetched
again from its origin; it changes state only through its app's service
functions, and raises ``RuleViolation`` (answered 422) to refuse.
"""

from collections.abc import Callable

Handler = Callable[[object, dict], None]

_handlers: dict[tuple[str, str], Handler] = {}
# Activities a peer whose link is not yet active may still send (the answer to a link request).
_before_active: set[tuple[str, str]] = set()


def handles(activity_type: str, object_type: str = "", *, before_active: bool = False):
    """Register the decorated function for ``(activity_type, object_type)``."""

    def register(function: Handler) -> Handler:
        key = (activity_type, object_type)
        if key in _handlers and _handlers[key] is not function:
            raise ValueError(f"{key} already has a handler")
        _handlers[key] = function
        if before_active:
            _before_active.add(key)
        return function

    return register


def handler_for(activity_type: str, object_type: str) -> Handler | None:
    return _handlers.get((activity_type, object_type))


def allowed_before_active(activity_type: str, object_type: str) -> bool:
    return (activity_type, object_type) in _before_active


def registered() -> list[tuple[str, str]]:
    return sorted(_handlers)
