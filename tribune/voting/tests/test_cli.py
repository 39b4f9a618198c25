"""The CLI through a real subprocess: JSON keys, text output, errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tribune.voting", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def tally_json(*args: str) -> dict:
    proc = run("tally", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


KEYS = {
    "method",
    "seats",
    "elected",
    "ranking",
    "quota",
    "valid_ballots",
    "invalid_ballots",
    "seed",
    "parameters",
    "ties",
    "stages",
}


@pytest.mark.parametrize(
    ("method", "seats"),
    [
        ("plurality", 1),
        ("irv", 1),
        ("schulze", 1),
        ("ranked-pairs", 1),
        ("scottish-stv", 2),
        ("meek-stv", 2),
    ],
)
def test_ranked_methods_json(method, seats):
    data = tally_json(str(DATA / "sample.blt"), "--method", method, "--seed", "5")
    assert KEYS <= set(data)
    assert data["method"] == method
    assert len(data["elected"]) == seats  # STV takes the seats from the BLT header
    assert data["seats"] == seats
    assert data["stages"] and {"number", "action", "votes", "exhausted"} <= set(data["stages"][0])
    if method in ("schulze", "ranked-pairs"):
        assert sorted(data["ranking"]) == ["Ana", "Ben", "Cai"]
        assert data["elected"] == data["ranking"][:1]


def test_schulze_seats_option():
    data = tally_json(str(DATA / "sample.blt"), "--method", "schulze", "--seats", "2")
    assert data["elected"] == data["ranking"][:2]


def test_approval_csv_and_score_json():
    data = tally_json(str(DATA / "approval.csv"), "--method", "approval", "--seats", "2")
    assert data["stages"][0]["votes"] == {"Ben": 4, "Cai": 5, "Ana": 2} or data["stages"][0][
        "votes"
    ] == {"Cai": 5, "Ben": 4, "Ana": 2}
    assert data["elected"] == ["Cai", "Ben"]
    assert data["valid_ballots"] == 7
    data = tally_json(str(DATA / "score.json"), "--method", "score")
    assert data["stages"][0]["votes"] == {"Red": 17, "Blue": 14, "Green": 11}
    assert data["elected"] == ["Red"]
    assert data["parameters"]["title"] == "Banner design"


def test_plurality_csv_counts_spoilt_rows_as_invalid():
    data = tally_json(str(DATA / "plurality.csv"), "--method", "plurality")
    assert data["elected"] == ["Ana"]
    assert data["valid_ballots"] == 3 and data["invalid_ballots"] == 2


def test_text_output_is_a_stage_table():
    proc = run("tally", str(DATA / "sample.blt"), "--method", "irv")
    assert proc.returncode == 0
    assert "Stage 1" in proc.stdout and "Candidate" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].startswith("Elected: ")


def test_tally_word_is_optional():
    proc = run(str(DATA / "sample.blt"), "--method", "plurality")
    assert proc.returncode == 0, proc.stderr


def test_lot_seed_is_reported_and_reproducible():
    first = tally_json(str(DATA / "sample.blt"), "--method", "plurality")
    assert isinstance(first["seed"], int)  # Ana and Cai tie on 4: a lot was drawn
    again = tally_json(
        str(DATA / "sample.blt"), "--method", "plurality", "--seed", str(first["seed"])
    )
    assert again["elected"] == first["elected"] and again["ties"] == first["ties"]


@pytest.mark.parametrize(
    ("content", "name", "method", "expected"),
    [
        ("3 1\n1 1 5 0\n0\n", "bad.blt", "irv", "bad.blt:2: candidate number 5"),
        ('3 1\n1 1 2 0\n0\n"A"\n', "short.blt", "schulze", "short.blt:4: expected 3 candidate"),
        ("Ana,Ben\n1,1\n1,2\n", "bad.csv", "approval", "bad.csv:3: cell for 'Ben'"),
        ("Ana,Ben\n1,1,1\n", "cols.csv", "score", "cols.csv:2: expected 2 columns"),
        (
            '{"candidates": ["A"],\n "ballots": [\n  {"approve": ["A"]},\n  {"approve": ["Z"]}\n]}',
            "bad.json",
            "approval",
            "bad.json:4: ballot 2: unknown candidate 'Z'",
        ),
        (
            '{"candidates": ["A"], \n "ballots": [}',
            "broken.json",
            "score",
            "broken.json:2: invalid JSON",
        ),
        ('3 1\n1 1 0\n0\n"A"\n"B"\n"C"\n', "ok.blt", "approval", "cannot be read from a BLT"),
    ],
)
def test_bad_files_one_line_error_status_2(tmp_path, content, name, method, expected):
    path = tmp_path / name
    path.write_text(content)
    proc = run("tally", str(path), "--method", method)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert expected in lines[0]


def test_missing_file_and_bad_options(tmp_path):
    proc = run("tally", str(tmp_path / "none.blt"), "--method", "irv")
    assert proc.returncode == 2 and "cannot read" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("tally", str(DATA / "sample.blt"), "--method", "borda")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
    proc = run("tally", str(DATA / "sample.blt"), "--method", "irv", "--seats", "2")
    assert proc.returncode == 2 and "single winner" in proc.stderr
    proc = run("tally", str(DATA / "sample.blt"), "--method", "schulze", "--seats", "4")
    assert proc.returncode == 2 and "between 1 and 3" in proc.stderr
    (tmp_path / "bin.blt").write_bytes(b"\xff\xfe\x00bad")
    proc = run("tally", str(tmp_path / "bin.blt"), "--method", "irv")
    assert proc.returncode == 2 and "not UTF-8" in proc.stderr


def test_main_can_be_called_in_process(capsys):
    from tribune.voting.cli import main

    assert main(["tally", str(DATA / "sample.blt"), "--method", "irv", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "irv"


def test_voting_package_and_cli_import_no_django():
    code = (
        "import sys, tribune.voting, tribune.voting.cli\n"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['x', 'tally', {str(DATA / 'sample.blt')!r}, '--method', 'meek-stv']\n"
        "try:\n"
        "    runpy.run_module('tribune.voting', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0\n"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
