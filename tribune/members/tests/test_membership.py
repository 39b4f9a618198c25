"""Applying, admission, refusal with reasons, appeals, suspension, self-service."""

import pytest

from tribune.audit.log import verify_chain
from tribune.constitution.models import AdmissionRule, ConstitutionVersion
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members import services
from tribune.members.models import AppealStatus, Member, Standing
from tribune.offices.models import TermSource
from tribune.offices.services import begin_term


def _apply(world, name="Zed", email="zed@test.org", user=None):
    return services.apply_for_membership(
        world.org, user=user, name=name, email=email, branch=world.millbrook
    )


def test_application_waits_for_an_officer_under_officer_admission(world):
    zed = _apply(world)
    assert zed.standing == Standing.APPLICANT
    services.admit_member(world.ana, zed)
    zed.refresh_from_db()
    assert zed.standing == Standing.GOOD and zed.admitted_at


def test_automatic_admission_rule_admits_at_once(world):
    ConstitutionVersion.objects.filter(organisation=world.org).update(
        admission_rule=AdmissionRule.AUTOMATIC
    )
    assert _apply(world).standing == Standing.GOOD


def test_member_without_the_power_cannot_admit(world):
    zed = _apply(world)
    with pytest.raises(NotPermitted):
        services.admit_member(world.ben, zed)


def test_refusal_needs_a_written_reason(world):
    zed = _apply(world)
    with pytest.raises(RuleViolation, match="written reason") as refused:
        services.refuse_application(world.ana, zed, "  ")
    assert refused.value.field == "reason"
    zed.refresh_from_db()
    assert zed.standing == Standing.APPLICANT


def test_refused_applicant_appeals_and_the_appeal_body_reverses(world):
    zed = _apply(world)
    change = services.refuse_application(world.ana, zed, "Not known to the branch.")
    appeal = services.lodge_appeal(zed, change, "I have organised in Millbrook for years.")
    assert appeal.body == world.org.current_constitution().appeal_body
    with pytest.raises(NotPermitted, match="Only current members of"):
        services.decide_appeal(world.ben, appeal, upheld=True, reason="Sure.")
    services.decide_appeal(world.eli, appeal, upheld=True, reason="The branch vouches for Zed.")
    zed.refresh_from_db()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert zed.standing == Standing.GOOD


def test_an_appeal_is_decided_once(world):
    zed = _apply(world)
    change = services.refuse_application(world.ana, zed, "Reason.")
    appeal = services.lodge_appeal(zed, change, "Grounds.")
    services.decide_appeal(world.eli, appeal, upheld=False, reason="Decision stands.")
    with pytest.raises(RuleViolation, match="already been decided"):
        services.decide_appeal(world.eli, appeal, upheld=True, reason="Changed my mind.")
    with pytest.raises(RuleViolation, match="already appealed"):
        services.lodge_appeal(zed, change, "Again.")


def test_suspension_needs_power_and_reason_and_can_be_appealed(world):
    with pytest.raises(NotPermitted):
        services.suspend_member(world.cam, world.ben, "I dislike Ben.")
    with pytest.raises(RuleViolation, match="written reason"):
        services.suspend_member(world.ana, world.ben, "")
    change = services.suspend_member(world.ana, world.ben, "Broke the safeguarding policy.")
    world.ben.refresh_from_db()
    assert world.ben.standing == Standing.SUSPENDED
    appeal = services.lodge_appeal(world.ben, change, "I was not heard.")
    assert appeal.status == AppealStatus.PENDING
    # The officer who decided cannot judge the appeal, even from a seat on the body.
    appeals_office = appeal.body.offices.get()
    appeals_office.seats = 2
    appeals_office.save()
    begin_term(appeals_office, world.ana, source=TermSource.ELECTION)
    with pytest.raises(NotPermitted, match="own case or decision"):
        services.decide_appeal(world.ana, appeal, upheld=False, reason="No.")


def test_the_member_can_only_appeal_decisions_about_themselves(world):
    zed = _apply(world)
    change = services.refuse_application(world.ana, zed, "Reason.")
    with pytest.raises(NotPermitted):
        services.lodge_appeal(world.ben, change, "On Zed's behalf.")


def test_resigning_ends_every_office_at_once(world):
    services.resign(world.ana)
    world.ana.refresh_from_db()
    assert world.ana.standing == Standing.RESIGNED
    assert not world.ana.terms.current().exists()


def test_export_holds_everything_about_the_member(world):
    data = services.export_data(world.ana)
    assert data["email"] == "ana@test.org"
    assert data["terms_of_office"][0]["office"] == "Branch secretary"
    assert data["standing"] == Standing.GOOD


def test_erasure_removes_personal_data_and_keeps_the_audit_chain(world):
    ben_id = world.ben.pk
    user_id = world.ben.user_id
    services.suspend_member(world.ana, world.ben, "Reason naming Ben personally.")
    services.erase(Member.objects.get(pk=ben_id))
    ben = Member.objects.get(pk=ben_id)
    assert ben.name == f"Erased member #{ben_id}"
    assert (ben.email, ben.phone, ben.address, ben.user) == ("", "", "", None)
    assert ben.standing_changes.exclude(reason="").count() == 0
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert verify_chain(world.org).ok
    # The history holds together under one pseudonym; the id is never in the log.
    from tribune.audit.log import standing_ref

    assert world.org.audit_entries.filter(target=standing_ref(ben_id)).count() >= 3
    assert not world.org.audit_entries.filter(target=f"member:{ben_id}").exists()
    assert "Ben personally" not in str(list(world.org.audit_entries.values_list("data")))


def test_one_membership_per_email(world):
    _apply(world)
    with pytest.raises(RuleViolation, match="already exists") as refused:
        _apply(world, name="Zed again")
    assert refused.value.field == "email"


def test_applicants_are_seen_only_by_themselves_and_officers_who_decide(world, client):
    zed = _apply(world)
    assert not services.visible_to(world.ben, zed)
    assert services.visible_to(world.ana, zed)  # admits members
    assert services.visible_to(zed, zed)
    assert services.visible_to(world.ben, world.cam)
    client.force_login(world.users["ben"])
    assert client.get(f"/o/{world.org.slug}/members/{zed.pk}/").status_code == 404
    assert client.get(f"/api/v1/organisations/{world.org.slug}/members/{zed.pk}").status_code == 404
    assert client.get(f"/o/{world.org.slug}/members/{world.cam.pk}/").status_code == 200
