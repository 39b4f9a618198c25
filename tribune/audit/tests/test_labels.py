"""Every action the code records has a label in plain words (tribune.audit.labels)."""

import pathlib
import re

from tribune.audit.labels import ACTION_LABELS, action_label
from tribune.elections.models import Status

ROOT = pathlib.Path(__file__).resolve().parents[2]
# record(organisation, "area.verb", ...), action="area.verb", and the assembly sittings'
# _begin_sitting(..., "area.verb").
PATTERNS = (
    re.compile(r"\brecord\(\s*[^,()]+(?:\([^()]*\))?[^,()]*,\s*\"([a-z_]+\.[a-z_]+)\""),
    re.compile(r"\baction=\"([a-z_]+\.[a-z_]+)\""),
    re.compile(r"_begin_sitting\([^)]*\"([a-z_]+\.[a-z_]+)\""),
)


def recorded_actions() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text()
        for pattern in PATTERNS:
            found.update(pattern.findall(text))
        if 'f"election.{to}"' in text:
            found.update(f"election.{s.value}" for s in Status)
    return found


def test_every_recorded_action_has_a_label():
    actions = recorded_actions()
    assert len(actions) > 60  # the scan finds the code's actions
    missing = sorted(a for a in actions if a not in ACTION_LABELS)
    assert missing == [], f"audit actions without a label in tribune/audit/labels.py: {missing}"


def test_labels_are_words_not_names():
    for action, label in ACTION_LABELS.items():
        assert "." not in str(label) and "_" not in str(label), action
    assert action_label("election.called") == "Election or vote called"
    assert action_label("someday.new_thing") == "Someday: new thing"
