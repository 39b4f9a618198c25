"""Command-line counting: ``python -m tribune.voting tally FILE --method METHOD``.

Why hand-written: returning officers and auditors must be able to recount a
published ballot file on their own machine, without the web app, and get
either a readable stage table or JSON (schema in ``docs/voting.md``).  A bad
file must produce one clear line naming the line at fault and exit status 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from tribune.voting.ballot_files import Kind, read_ballots
from tribune.voting.ballots import BallotFileError, RankedProfile
from tribune.voting.result import Result

METHODS = (
    "plurality",
    "approval",
    "score",
    "star",
    "irv",
    "scottish-stv",
    "meek-stv",
    "schulze",
    "ranked-pairs",
)

_KIND: dict[str, Kind] = {
    "plurality": "choice",
    "approval": "approval",
    "score": "score",
    "star": "score",
    "irv": "ranked",
    "scottish-stv": "ranked",
    "meek-stv": "ranked",
    "schulze": "ranked",
    "ranked-pairs": "ranked",
}

_SINGLE_WINNER = {"irv", "star"}
_STV = {"scottish-stv", "meek-stv"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, status 2, no usage dump
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(prog: str = "tribune tally") -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="Count a ballot file and print the result stage by stage.",
    )
    parser.add_argument("file", help="ballot file: .blt (ranked), .csv or .json")
    parser.add_argument("--method", required=True, choices=METHODS)
    parser.add_argument(
        "--seats",
        type=int,
        default=None,
        help="seats to fill (STV: default from the BLT header; others: 1)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for any lot")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--max-score", type=int, default=5, help="highest score in a CSV score file (default 5)"
    )
    return parser


def _count(method: str, profile: Any, seats: int, seed: int | None) -> Result:
    from tribune.voting import (
        approval,
        irv,
        meek_stv,
        plurality,
        ranked_pairs,
        schulze,
        score,
        scottish_stv,
        star,
    )

    counters: dict[str, Callable[[], Result]] = {
        "plurality": lambda: plurality(profile, seats=seats, seed=seed),
        "approval": lambda: approval(profile, seats=seats, seed=seed),
        "score": lambda: score(profile, seats=seats, seed=seed),
        "star": lambda: star(profile, seed=seed),
        "irv": lambda: irv(profile, seed=seed),
        "scottish-stv": lambda: scottish_stv(profile, seats, seed=seed),
        "meek-stv": lambda: meek_stv(profile, seats, seed=seed),
        "schulze": lambda: schulze(profile, seats=seats, seed=seed),
        "ranked-pairs": lambda: ranked_pairs(profile, seats=seats, seed=seed),
    }
    return counters[method]()


def _fail(prog: str, message: str, status: int = 2) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None, *, prog: str = "tribune tally") -> int:
    """Run the CLI; returns the exit status (0 ok, 2 bad input, 1 internal error)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "tally":
        args_list = args_list[1:]
    try:
        args = build_parser(prog).parse_args(args_list)
    except SystemExit as exc:
        return int(exc.code or 0)
    method: str = args.method
    try:
        profile = read_ballots(args.file, _KIND[method], max_score=args.max_score)
    except BallotFileError as exc:
        where = f"{args.file}:{exc.line}: " if exc.line is not None else f"{args.file}: "
        return _fail(prog, where + exc.message)
    seats = args.seats
    if seats is None:
        seats = (profile.seats or 1) if method in _STV else 1
    if method in _SINGLE_WINNER and seats != 1:
        return _fail(prog, f"{method} elects a single winner; --seats must be 1")
    eligible = len(profile.candidates)
    if isinstance(profile, RankedProfile):
        eligible -= len(profile.withdrawn)
    if not 1 <= seats <= eligible:
        return _fail(prog, f"--seats must be between 1 and {eligible} (the candidates standing)")
    try:
        result = _count(method, profile, seats, args.seed)
    except ValueError as exc:
        return _fail(prog, str(exc))
    except Exception as exc:  # noqa: BLE001 -- never a traceback for the user
        return _fail(prog, f"internal error ({type(exc).__name__}: {exc}); please report it", 1)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(result.to_text(), end="")
    return 0
