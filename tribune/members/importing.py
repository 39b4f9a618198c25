"""CSV import of an existing membership list.

Every row is accounted for: a dry run reports each row that would be rejected
and why, and the real run imports the rest in chunks, idempotently by email
(re-importing the same file changes nothing). Imported people are members in
good standing: the list is the organisation's own record of who its members are.

The file is parsed and checked once, at the dry run: its good rows are stored
(``ImportRow``, by position) with the counts of the report, and each chunk of
the import reads only its own rows. Time is linear in the file's size (it was
quadratic when every chunk parsed the whole file again; docs/benchmarks.md).
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record, standing_ref
from tribune.lib import figures
from tribune.lib.errors import RuleViolation
from tribune.lib.inputs import clean_text, text_problem
from tribune.members import history
from tribune.members.models import ImportJob, ImportRow, ImportStatus, Member, Standing
from tribune.offices.rules import mandate_for

REQUIRED_COLUMNS = ("name", "email", "branch")
OPTIONAL_COLUMNS = ("phone", "address")
CHUNK_ROWS = 2000
LOOKUP_ROWS = 2000  # emails looked up per query (SQLite limits a statement's parameters)
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class Row:
    line: int
    name: str
    email: str
    branch: str
    phone: str = ""
    address: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    new: int = 0
    updates: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.rejected)


def parse(organisation, csv_text: str, *, classify: bool = True) -> Report:
    """Check every row; return the good rows and each rejected row with its reason.

    With ``classify`` the report also counts new, changed and unchanged members
    (the dry run); the import itself skips that.
    """
    # Before anything else: a lone surrogate cannot even be measured in bytes, and
    # a NUL cannot be stored (the file is kept with the import job).
    clean_text(csv_text, field="file")
    if len(csv_text.encode()) > MAX_BYTES:
        raise RuleViolation(_t("The file is larger than 20 MB."), "file")
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        raise RuleViolation(
            _t("The file needs the columns %(cols)s; missing: %(missing)s.")
            % {"cols": ", ".join(REQUIRED_COLUMNS), "missing": ", ".join(missing)},
            "file",
        )
    reader.fieldnames = headers
    branches = set(organisation.branches.values_list("slug", flat=True))
    report, seen = Report(), {}
    try:
        for raw in reader:
            values = {k: (v or "").strip() for k, v in raw.items() if k is not None}
            row = Row(
                line=reader.line_num,
                name=values.get("name", ""),
                email=values.get("email", "").lower(),
                branch=values.get("branch", ""),
                phone=values.get("phone", ""),
                address=values.get("address", ""),
            )
            reason = _row_problem(row, branches, seen)
            if reason:
                report.rejected.append({"line": row.line, "email": row.email, "reason": reason})
            else:
                seen[row.email] = row.line
                report.rows.append(row)
    except csv.Error as exc:
        raise RuleViolation(
            _t("The file is not valid CSV (line %(line)s: %(error)s).")
            % {"line": reader.line_num, "error": exc},
            "file",
        ) from None
    if classify:
        _classify(organisation, report)
    return report


def _classify(organisation, report: Report) -> None:
    """Count the good rows that would add, change or leave alone a member."""
    for start in range(0, len(report.rows), LOOKUP_ROWS):
        rows = report.rows[start : start + LOOKUP_ROWS]
        existing = _existing(organisation, [r.email for r in rows])
        for row in rows:
            member = existing.get(row.email)
            if member is None:
                report.new += 1
            elif _differs(member, row):
                report.updates += 1
            else:
                report.unchanged += 1


def _existing(organisation, emails: list[str]) -> dict[str, Member]:
    members = Member.objects.filter(organisation=organisation, email__in=emails)
    return {m.email.lower(): m for m in members.select_related("home_branch")}


def _store_rows(job: ImportJob, rows: list[Row]) -> None:
    ImportRow.objects.bulk_create(
        (
            ImportRow(
                job=job,
                position=position,
                line=row.line,
                name=row.name,
                email=row.email,
                branch=row.branch,
                phone=row.phone,
                address=row.address,
            )
            for position, row in enumerate(rows)
        ),
        batch_size=LOOKUP_ROWS,
    )


def _stored_rows(job: ImportJob, start: int, count: int) -> list[Row]:
    stored = job.rows.filter(position__gte=start, position__lt=start + count).order_by("position")
    return [
        Row(
            line=r.line,
            name=r.name,
            email=r.email,
            branch=r.branch,
            phone=r.phone,
            address=r.address,
        )
        for r in stored
    ]


def dry_run_counts(job: ImportJob) -> dict[str, int]:
    """New, changed and unchanged members as counted when the file was checked.

    A job checked before the counts were stored is counted here once, and stored.
    """
    if job.new_rows is None:
        report = parse(job.organisation, job.csv_text)
        job.new_rows, job.changed_rows, job.unchanged_rows = (
            report.new,
            report.updates,
            report.unchanged,
        )
        job.save(update_fields=["new_rows", "changed_rows", "unchanged_rows"])
    return {"new": job.new_rows, "updates": job.changed_rows, "unchanged": job.unchanged_rows}


def _row_problem(row: Row, branches: set[str], seen: dict[str, int]) -> str:
    # Rows go in by bulk_create, under no save hook: the model's limits are checked here.
    for column in ("name", "email", "phone", "address"):
        problem = text_problem(
            getattr(row, column),
            one_line=True,
            max_length=Member._meta.get_field(column).max_length,
        )
        if problem:
            return f"{column}: {problem}"
    if not row.name:
        return _t("no name")
    if not row.email:
        return _t("no email")
    try:
        validate_email(row.email)
    except ValidationError:
        return _t("“%(email)s” is not a valid email address") % {"email": row.email}
    if row.email in seen:
        return _t("the same email is already on line %(line)s") % {"line": seen[row.email]}
    if row.branch not in branches:
        return _t("unknown branch “%(branch)s”") % {"branch": row.branch}
    return ""


def _differs(member: Member, row: Row) -> bool:
    return (member.name, member.home_branch.slug, member.phone, member.address) != (
        row.name,
        row.branch,
        row.phone or member.phone,
        row.address or member.address,
    )


@transaction.atomic
def check_import(actor: Member, organisation, csv_text: str, filename: str = "") -> ImportJob:
    """The dry run: store the whole file, its good rows and the rows it would reject;
    count what importing would change; import nothing."""
    term = mandate_for(actor, "import_members")
    report = parse(organisation, csv_text)
    job = ImportJob.objects.create(
        organisation=organisation,
        created_by=actor,
        term=term,
        filename=filename[:255],
        csv_text=csv_text,
        status=ImportStatus.CHECKED,
        total_rows=len(report.rows),
        rejected=report.rejected,
        new_rows=report.new,
        changed_rows=report.updates,
        unchanged_rows=report.unchanged,
    )
    _store_rows(job, report.rows)
    record(
        organisation,
        "import.checked",
        actor=actor,
        term=term,
        target=job,
        data={"rows": report.total, "rejected": len(report.rejected)},
    )
    return job


@transaction.atomic
def confirm_import(actor: Member, job: ImportJob) -> ImportJob:
    """Start importing a checked file; the rows go in through ``run_chunk``."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    term = mandate_for(actor, "import_members")
    if job.status != ImportStatus.CHECKED:
        raise RuleViolation(_t("This import has already been started."))
    job.status = ImportStatus.RUNNING if job.total_rows else ImportStatus.DONE
    job.save(update_fields=["status"])
    record(job.organisation, "import.confirmed", actor=actor, term=term, target=job)
    return job


def run_all(job: ImportJob) -> ImportJob:
    while job.status == ImportStatus.RUNNING:
        job = run_chunk(job)
    return job


def _write_members(job: ImportJob, batch: list[Row], existing, branches) -> tuple[list, list]:
    """Create the new rows' members and update the changed ones: their ids, both lists."""
    organisation = job.organisation
    new_members, updated_ids = [], []
    now = timezone.now()
    for row in batch:
        member = existing.get(row.email)
        if member is None:
            new_members.append(
                Member(
                    organisation=organisation,
                    name=row.name,
                    email=row.email,
                    home_branch=branches[row.branch],
                    phone=row.phone,
                    address=row.address,
                    standing=Standing.GOOD,
                    admitted_at=now,
                )
            )
        elif _differs(member, row):
            if branches[row.branch].pk != member.home_branch_id:  # their past moves with them
                history.forget(organisation, [member.home_branch_id, branches[row.branch].pk])
            member.name, member.home_branch = row.name, branches[row.branch]
            member.phone = row.phone or member.phone
            member.address = row.address or member.address
            member.save(update_fields=["name", "home_branch", "phone", "address"])
            updated_ids.append(member.pk)
        else:
            job.unchanged += 1
    return [m.pk for m in Member.objects.bulk_create(new_members)], updated_ids


@transaction.atomic
def run_chunk(job: ImportJob, rows: int = CHUNK_ROWS) -> ImportJob:
    """Import the next ``rows`` good rows of ``job``; safe to repeat after a crash.

    One transaction per chunk: the members, the job's progress and the audit entry
    commit together or not at all. The chunk reads its stored rows only.
    """
    # The file and the rejected rows stay on disk: a chunk needs neither.
    job = ImportJob.objects.select_for_update().defer("csv_text", "rejected").get(pk=job.pk)
    if job.status != ImportStatus.RUNNING:
        return job
    organisation = job.organisation
    # The mandate is checked again for every chunk: an import outlives nobody's power.
    mandate_for(job.created_by, "import_members")
    batch = _stored_rows(job, job.processed_rows, rows)
    if not batch and job.processed_rows < job.total_rows:
        # Checked before good rows were stored: parse the file this once and store them.
        _store_rows(job, parse(organisation, job.csv_text, classify=False).rows)
        batch = _stored_rows(job, job.processed_rows, rows)
    branches = {b.slug: b for b in organisation.branches.all()}
    existing = _existing(organisation, [r.email for r in batch])
    with figures.changing(organisation.pk):  # renewed once for the chunk, not per member
        created_ids, updated_ids = _write_members(job, batch, existing, branches)
    job.created += len(created_ids)
    job.updated += len(updated_ids)
    job.processed_rows += len(batch)
    # The parsed copy of what is now imported goes (the file itself stays with the job).
    job.rows.filter(position__lt=job.processed_rows).delete()
    if job.processed_rows >= job.total_rows or not batch:
        job.status = ImportStatus.DONE
    job.save()
    record(
        organisation,
        "import.chunk",
        actor=job.created_by,
        term=job.term,
        target=job,
        # Members by reference, not id: who was imported is not the public's to know.
        data={
            "created": [standing_ref(pk) for pk in created_ids],
            "updated": [standing_ref(pk) for pk in updated_ids],
        },
    )
    return job
