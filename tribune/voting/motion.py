"""Yes/no/abstain motions: majorities, supermajorities and quorums.

Why hand-written: organisations' standing orders differ on exactly the points
that decide close votes -- whether abstentions count in the base, whether a
majority is "more than half" or a supermajority "at least two thirds", whether
the base is the votes cast or the whole membership, and what the quorum is.
The rule is data (:class:`MotionRule`), so the web app stores it with the
motion and the result states which rule was applied and why it passed or
failed.  All comparisons are exact (integers and ``Fraction``).

A motion is carried when the quorum is met and

* ``yes > threshold * base`` if the rule is strict ("more than half"), or
* ``yes >= threshold * base`` otherwise ("at least two thirds"),

where ``base`` is ``yes + no`` (abstentions ignored), ``yes + no + abstain``
(abstentions count, in effect, against) or the size of the electorate.
A simple majority is ``threshold = 1/2``, strict, base ``yes + no``: more
yes than no votes.  A tie is not a majority: the motion falls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from tribune.voting.result import Result, Stage, format_number

Base = Literal["yes_no", "cast", "electorate"]

_BASE_TEXT = {
    "yes_no": "yes + no votes (abstentions not counted)",
    "cast": "all votes cast, abstentions included",
    "electorate": "the whole electorate",
}


@dataclass(frozen=True)
class MotionRule:
    """How a motion is decided.

    ``threshold``: the share of ``base`` that yes votes must exceed (``strict``)
    or reach (not strict).  ``quorum_turnout``: minimum number of votes cast
    (yes + no + abstain); ``quorum_fraction``: minimum turnout as a share of
    ``electorate``; ``quorum_yes``: minimum number of yes votes.
    """

    threshold: Fraction = Fraction(1, 2)
    strict: bool = True
    base: Base = "yes_no"
    electorate: int | None = None
    quorum_turnout: int | None = None
    quorum_fraction: Fraction | None = None
    quorum_yes: int | None = None
    name: str = "simple majority"

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", Fraction(self.threshold))
        if not 0 < self.threshold < 1 and not (self.threshold == 1 and not self.strict):
            raise ValueError("threshold must be between 0 and 1")
        if self.base not in _BASE_TEXT:
            raise ValueError(f"unknown base {self.base!r}")
        needs_electorate = self.base == "electorate" or self.quorum_fraction is not None
        if needs_electorate and (self.electorate is None or self.electorate < 0):
            raise ValueError("this rule needs the size of the electorate")
        if self.quorum_fraction is not None:
            object.__setattr__(self, "quorum_fraction", Fraction(self.quorum_fraction))

    @classmethod
    def simple(cls, **quorum: int | Fraction | None) -> MotionRule:
        """More yes than no votes; abstentions do not count."""
        return cls(Fraction(1, 2), True, "yes_no", name="simple majority", **quorum)  # type: ignore[arg-type]

    @classmethod
    def absolute(
        cls, *, base: Base = "cast", electorate: int | None = None, **quorum: int | Fraction | None
    ) -> MotionRule:
        """More than half of all votes cast (abstentions count) or of the electorate."""
        return cls(
            Fraction(1, 2),
            True,
            base,
            electorate,
            name="absolute majority",
            **quorum,  # type: ignore[arg-type]
        )

    @classmethod
    def supermajority(
        cls,
        threshold: Fraction,
        *,
        base: Base = "yes_no",
        electorate: int | None = None,
        **quorum: int | Fraction | None,
    ) -> MotionRule:
        """At least ``threshold`` (e.g. 2/3, 3/5) of the base."""
        threshold = Fraction(threshold)
        return cls(
            threshold,
            False,
            base,
            electorate,
            name=f"{threshold.numerator}/{threshold.denominator} majority",
            **quorum,  # type: ignore[arg-type]
        )

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "threshold": format_number(self.threshold),
            "strict": self.strict,
            "base": self.base,
            "electorate": self.electorate,
            "quorum_turnout": self.quorum_turnout,
            "quorum_fraction": (
                format_number(self.quorum_fraction) if self.quorum_fraction is not None else None
            ),
            "quorum_yes": self.quorum_yes,
        }


@dataclass
class MotionResult(Result):
    """A :class:`Result` for a motion; ``elected`` is empty, see ``outcome``."""

    carried: bool = False
    quorum_met: bool = True
    outcome: str = ""
    yes_needed: int = 0
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = super().to_dict()
        data.update(
            carried=self.carried,
            quorum_met=self.quorum_met,
            outcome=self.outcome,
            yes_needed=self.yes_needed,
            reasons=list(self.reasons),
        )
        return data


def _ceil(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


def motion(yes: int, no: int, abstain: int = 0, *, rule: MotionRule | None = None) -> MotionResult:
    """Decide a motion from its yes/no/abstain counts under ``rule``."""
    rule = rule or MotionRule.simple()
    for label, value in (("yes", yes), ("no", no), ("abstain", abstain)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{label} must be a non-negative integer")
    cast = yes + no + abstain
    if rule.electorate is not None and cast > rule.electorate:
        raise ValueError("more votes cast than the electorate")
    reasons: list[str] = []
    quorum_met = True
    if rule.quorum_turnout is not None:
        ok = cast >= rule.quorum_turnout
        reasons.append(
            f"turnout {cast} {'meets' if ok else 'is below'} the quorum of {rule.quorum_turnout}"
        )
        quorum_met &= ok
    if rule.quorum_fraction is not None:
        assert rule.electorate is not None
        need = _ceil(rule.quorum_fraction * rule.electorate)
        ok = cast >= need
        reasons.append(
            f"turnout {cast} {'meets' if ok else 'is below'} the quorum of "
            f"{format_number(rule.quorum_fraction)} of {rule.electorate} = {need}"
        )
        quorum_met &= ok
    if rule.quorum_yes is not None:
        ok = yes >= rule.quorum_yes
        reasons.append(
            f"{yes} yes votes {'meet' if ok else 'are below'} the minimum of {rule.quorum_yes}"
        )
        quorum_met &= ok
    if rule.base == "yes_no":
        base = yes + no
    elif rule.base == "cast":
        base = cast
    else:
        assert rule.electorate is not None
        base = rule.electorate
    bound = rule.threshold * base
    if rule.strict:
        majority = yes > bound
        yes_needed = bound.numerator // bound.denominator + 1
        relation = "more than"
    else:
        majority = yes >= bound
        yes_needed = _ceil(bound)
        relation = "at least"
    yes_needed = max(yes_needed, 1)
    if base == 0:
        majority = False
    reasons.append(
        f"{yes} yes of {base} ({_BASE_TEXT[rule.base]}): {rule.name} needs {relation} "
        f"{format_number(rule.threshold)} of {base}, i.e. {yes_needed} -- "
        + ("reached" if majority else "not reached")
    )
    carried = quorum_met and majority
    outcome = "carried" if carried else ("not carried" if quorum_met else "no quorum")
    stage = Stage(
        number=1,
        action="Count",
        votes={"yes": yes, "no": no, "abstain": abstain},
        note=outcome,
    )
    return MotionResult(
        method="motion",
        seats=0,
        elected=[],
        stages=[stage],
        valid_ballots=cast,
        parameters={"rule": rule.to_dict()},
        carried=carried,
        quorum_met=quorum_met,
        outcome=outcome,
        yes_needed=yes_needed,
        reasons=reasons,
    )
