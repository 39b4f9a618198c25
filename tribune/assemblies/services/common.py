"""Names every subject of the package shares: the assembly's live event channel."""

from tribune.assemblies.models import Assembly
from tribune.lib import events


def channel(assembly: Assembly) -> str:
    return f"assembly-{assembly.pk}"


def _event(assembly: Assembly, event: str, **data) -> None:
    events.publish(channel(assembly), event, data)
