"""Power comes only from current terms of office."""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.utils import timezone

from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members import services
from tribune.members.models import Standing
from tribune.offices.models import BodyKind, Term, TermSource
from tribune.offices.rules import has_power, mandate_for
from tribune.offices.services import begin_term, create_body, create_office


def test_current_term_grants_its_powers_and_nothing_else(world):
    assert mandate_for(world.ana, "admit_members").office.title == "Branch secretary"
    assert not has_power(world.ana, "view_member_contacts")
    assert not has_power(world.ben, "admit_members")


def test_an_expired_term_grants_nothing(world):
    term = world.ana.terms.get()
    later = term.ends_at + timedelta(seconds=1)
    assert has_power(world.ana, "admit_members", at=term.ends_at - timedelta(seconds=1))
    assert not has_power(world.ana, "admit_members", at=later)


def test_provisional_power_really_expires(world):
    applicant = services.apply_for_membership(
        world.org, user=None, name="Zed", email="zed@test.org", branch=world.millbrook
    )
    past = timezone.now() - timedelta(days=91)
    Term.objects.filter(member=world.ana).update(starts_at=past, ends_at=past + timedelta(days=90))
    with pytest.raises(NotPermitted, match="No current mandate"):
        services.admit_member(world.ana, applicant)
    applicant.refresh_from_db()
    assert applicant.standing == Standing.APPLICANT


def test_a_term_ended_early_grants_nothing(world):
    Term.objects.filter(member=world.ana).update(ended_at=timezone.now())
    assert not has_power(world.ana, "admit_members")


def test_a_suspended_office_holder_exercises_no_power(world):
    world.ana.standing = Standing.SUSPENDED
    world.ana.save()
    with pytest.raises(NotPermitted, match="good standing"):
        mandate_for(world.ana, "admit_members")


def test_branch_body_powers_reach_only_its_subtree(world):
    body = create_body(
        world.org, name="North committee", kind=BodyKind.COMMITTEE, branch=world.north
    )
    office = create_office(
        body, title="North secretary", mandate="Admit North members.", powers=["admit_members"]
    )
    begin_term(office, world.ben, source=TermSource.ELECTION)
    assert has_power(world.ben, "admit_members", world.millbrook)
    assert not has_power(world.ben, "admit_members", world.south)
    assert not has_power(world.ben, "admit_members")  # the whole organisation


def test_personal_data_powers_need_two_factor(world):
    assert has_power(world.dana, "view_member_contacts")
    Authenticator.objects.filter(user=world.dana.user).delete()
    with pytest.raises(NotPermitted, match="two-factor"):
        mandate_for(world.dana, "view_member_contacts")


def test_term_limit_refuses_another_consecutive_term(world):
    body = create_body(world.org, name="Committee", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Treasurer", mandate="Keep the books.", term_days=100)
    start = timezone.now() - timedelta(days=200)
    first = begin_term(office, world.ben, source=TermSource.ELECTION, starts_at=start)
    begin_term(office, world.ben, source=TermSource.ELECTION, starts_at=first.ends_at)
    with pytest.raises(RuleViolation, match="limit of 2 consecutive terms"):
        begin_term(
            office, world.ben, source=TermSource.ELECTION, starts_at=start + timedelta(days=200)
        )
    # Someone else may stand, and so may ben after a break.
    begin_term(office, world.cam, source=TermSource.ELECTION, starts_at=timezone.now())


def test_a_term_cannot_exceed_the_office_term(world):
    body = create_body(world.org, name="Committee", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Treasurer", mandate="Keep the books.", term_days=100)
    with pytest.raises(RuleViolation, match="at most 100 days"):
        begin_term(office, world.ben, source=TermSource.ELECTION, days=101)


def test_django_superuser_has_no_say_in_any_organisation(world, client):
    admin = get_user_model().objects.create_superuser("root", "root@test.org", "x" * 20)
    client.force_login(admin)
    applicant = services.apply_for_membership(
        world.org, user=None, name="Zed", email="zed@test.org", branch=world.millbrook
    )
    response = client.post(f"/o/{world.org.slug}/applications/{applicant.pk}/admit/")
    assert response.status_code == 403
    applicant.refresh_from_db()
    assert applicant.standing == Standing.APPLICANT
    assert client.get(f"/o/{world.org.slug}/members/").status_code == 403


def test_every_exercise_of_power_is_logged_with_its_mandate(world):
    applicant = services.apply_for_membership(
        world.org, user=None, name="Zed", email="zed@test.org", branch=world.millbrook
    )
    services.admit_member(world.ana, applicant)
    entry = world.org.audit_entries.order_by("-seq").first()
    assert entry.action == "member.admitted"
    assert entry.actor == world.ana
    assert entry.term == world.ana.terms.get()
    from tribune.audit.log import standing_ref

    assert entry.target == standing_ref(applicant)  # the officer is named, the member is not


def test_a_branch_officer_sees_only_the_applications_within_reach(world, client):
    body = create_body(
        world.org, name="North committee", kind=BodyKind.COMMITTEE, branch=world.north
    )
    office = create_office(
        body, title="North secretary", mandate="Admit North members.", powers=["admit_members"]
    )
    begin_term(office, world.ben, source=TermSource.ELECTION)
    for name, branch in (("Nora", world.millbrook), ("Sven", world.south)):
        services.apply_for_membership(
            world.org, user=None, name=name, email=f"{name}@test.org", branch=branch
        )
    client.force_login(world.users["ben"])
    page = client.get(f"/o/{world.org.slug}/applications/").content.decode()
    assert "Nora" in page and "Sven" not in page
    client.force_login(world.users["cam"])
    assert client.get(f"/o/{world.org.slug}/applications/").status_code == 403


def test_branches_are_added_only_under_a_mandate_that_reaches_them(world, client):
    client.force_login(world.users["ben"])
    refused = client.post(
        "/api/v1/organisations/test-union/branches",
        {"parent": world.north.slug, "name": "Ashford", "level": "local"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["detail"][0]["reason"].startswith("No current mandate")
    client.force_login(world.users["ana"])
    page = client.post(
        f"/o/{world.org.slug}/b/{world.north.slug}/", {"name": "Ashford", "level": "local"}
    )
    assert page.status_code == 302
    ashford = world.org.branches.get(slug="ashford")
    assert ashford.parent == world.north
    assert world.org.audit_entries.filter(action="branch.created", target=f"branch:{ashford.pk}")
    again = client.post(
        f"/o/{world.org.slug}/b/{world.north.slug}/", {"name": "Ashford", "level": "local"}
    )
    assert again.status_code == 400
    assert "That short name is taken." in again.content.decode()
