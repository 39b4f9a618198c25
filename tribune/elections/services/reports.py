"""Mandate reports: an office-holder reports against their mandate, members comment."""

from django.db import transaction
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.elections.models import MandateReport, ReportComment
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member
from tribune.offices.models import Term


@transaction.atomic
def publish_report(member: Member, term: Term, *, title: str, done: str, not_done: str = ""):
    if term.member_id != member.pk:
        raise NotPermitted(_t("Only the office-holder reports against their mandate."))
    if not title.strip() or not done.strip():
        raise RuleViolation(_t("Say what was done."), "done")
    report = MandateReport.objects.create(term=term, title=title, done=done, not_done=not_done)
    record(
        term.office.body.organisation, "report.published", actor=member, term=term, target=report
    )
    return report


@transaction.atomic
def comment_on_report(member: Member, report: MandateReport, text: str) -> ReportComment:
    organisation = report.term.office.body.organisation
    if not member.in_good_standing or member.organisation_id != organisation.pk:
        raise NotPermitted(_t("Only members in good standing may comment."))
    if not (text or "").strip():
        raise RuleViolation(_t("Write a comment."), "text")
    comment = ReportComment.objects.create(report=report, member=member, text=text)
    record(organisation, "report.commented", actor=member, target=report)
    return comment
