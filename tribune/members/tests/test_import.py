"""CSV import: every bad row reported with its reason, nothing else lost, idempotent."""

import pytest

from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members import importing
from tribune.members.models import ImportJob, ImportStatus, Member

CSV = """name,email,branch,phone
Rosa Romero,rosa@test.org,millbrook,0700 1
,noname@test.org,millbrook,
Ivo Ivanova,not-an-email,millbrook,
Sami Sato,sami@test.org,atlantis,
Uma Osei,UMA@test.org,north,0700 2
Uma Twice,uma@test.org,north,
Wren Petrov,wren@test.org,south,
"""


def test_dry_run_reports_every_rejected_row_and_imports_nothing(world):
    before = Member.objects.count()
    job = importing.check_import(world.dana, world.org, CSV, "list.csv")
    assert Member.objects.count() == before
    assert job.status == ImportStatus.CHECKED
    reasons = {r["line"]: r["reason"] for r in job.rejected}
    assert reasons == {
        3: "no name",
        4: "“not-an-email” is not a valid email address",
        5: "unknown branch “atlantis”",
        7: "the same email is already on line 6",
    }
    assert job.total_rows == 3


def test_import_creates_the_good_rows_and_only_them(world):
    job = importing.check_import(world.dana, world.org, CSV, "list.csv")
    job = importing.run_all(importing.confirm_import(world.dana, job))
    assert job.status == ImportStatus.DONE
    assert (job.created, job.updated, job.processed_rows) == (3, 0, 3)
    imported = Member.objects.filter(
        organisation=world.org, email__in=["rosa@test.org", "uma@test.org", "wren@test.org"]
    )
    assert imported.count() == 3
    assert imported.get(email="uma@test.org").home_branch == world.north
    assert not Member.objects.filter(email__in=["noname@test.org", "sami@test.org"]).exists()


def test_reimport_is_idempotent_by_email(world):
    for _ in range(2):
        job = importing.check_import(world.dana, world.org, CSV, "list.csv")
        job = importing.run_all(importing.confirm_import(world.dana, job))
    assert (job.created, job.updated, job.unchanged) == (0, 0, 3)
    assert Member.objects.filter(email="rosa@test.org").count() == 1
    changed = CSV.replace("Rosa Romero", "Rosa Romero-Diaz")
    report = importing.parse(world.org, changed)
    assert (report.new, report.updates, report.unchanged) == (0, 1, 2)


def test_large_import_runs_in_chunks(world):
    rows = "\n".join(f"Person {i},p{i}@test.org,millbrook" for i in range(1234))
    job = importing.check_import(world.dana, world.org, "name,email,branch\n" + rows, "big.csv")
    job = importing.confirm_import(world.dana, job)
    job = importing.run_chunk(job, rows=500)
    assert (job.processed_rows, job.percent, job.status) == (500, 40, ImportStatus.RUNNING)
    job = importing.run_all(job)
    assert job.created == 1234
    assert Member.objects.filter(email__startswith="p", organisation=world.org).count() == 1234


def test_missing_columns_are_refused_clearly(world):
    with pytest.raises(RuleViolation, match="missing: branch") as refused:
        importing.check_import(world.dana, world.org, "name,email\nA,a@test.org\n")
    assert refused.value.field == "file"


def test_import_needs_the_power(world):
    with pytest.raises(NotPermitted):
        importing.check_import(world.ana, world.org, CSV)


def test_the_file_is_parsed_once_and_chunks_read_only_their_rows(world, monkeypatch):
    """Linear: the dry run stores the good rows; no chunk parses the file again."""
    rows = "\n".join(f"Person {i},p{i}@test.org,millbrook" for i in range(25))
    job = importing.check_import(world.dana, world.org, "name,email,branch\n" + rows, "l.csv")
    assert job.rows.count() == 25
    assert (job.new_rows, job.changed_rows, job.unchanged_rows) == (25, 0, 0)

    def no_parse(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(importing, "parse", no_parse)
    job = importing.run_chunk(importing.confirm_import(world.dana, job), rows=10)
    assert job.processed_rows == 10
    assert sorted(job.rows.values_list("position", flat=True)) == list(range(10, 25))
    job = importing.run_all(job)
    assert (job.status, job.created) == (ImportStatus.DONE, 25)
    assert not job.rows.exists()  # the parsed copy goes; the file stays with the job
    assert "Person 24" in ImportJob.objects.get(pk=job.pk).csv_text


def test_a_chunk_that_fails_writes_nothing(world, monkeypatch):
    rows = "\n".join(f"Person {i},p{i}@test.org,millbrook" for i in range(30))
    job = importing.check_import(world.dana, world.org, "name,email,branch\n" + rows, "l.csv")
    job = importing.confirm_import(world.dana, job)

    def failing_record(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "record", failing_record)
    with pytest.raises(RuntimeError):
        importing.run_chunk(job, rows=10)
    job.refresh_from_db()
    assert (job.processed_rows, job.created, job.rows.count()) == (0, 0, 30)
    assert not Member.objects.filter(email="p0@test.org").exists()
    monkeypatch.undo()
    job = importing.run_all(job)
    assert job.created == 30


def test_a_job_checked_before_rows_were_stored_still_imports(world):
    """Jobs from before the upgrade have the file only: parsed once, then imported."""
    job = importing.check_import(world.dana, world.org, CSV, "list.csv")
    job.rows.all().delete()
    ImportJob.objects.filter(pk=job.pk).update(new_rows=None)
    job.refresh_from_db()
    assert importing.dry_run_counts(job) == {"new": 3, "updates": 0, "unchanged": 0}
    job = importing.run_all(importing.confirm_import(world.dana, job))
    assert (job.status, job.created, job.processed_rows) == (ImportStatus.DONE, 3, 3)
