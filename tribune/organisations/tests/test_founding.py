"""Founding your own organisation: templates, the operator's setting, co-founders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from conftest import make_user
from tribune.audit.log import verify_chain
from tribune.audit.models import AuditEntry
from tribune.constitution.models import ConstitutionVersion
from tribune.constitution.presets import PRESETS
from tribune.lib.errors import NotAuthenticated, NotPermitted, RuleViolation
from tribune.members.models import Member, Standing
from tribune.offices.models import Term
from tribune.offices.rules import has_power
from tribune.organisations import founding
from tribune.organisations.models import FoundingInvitation, FoundingRequest, Organisation
from tribune.outbox.models import Email
from tribune.outbox.services import deliver_due


@pytest.fixture
def open_founding(settings):
    settings.TRIBUNE_FOUNDING = "open"
    settings.TRIBUNE_PROVISIONAL_DAYS = 90


@pytest.fixture
def rosa(db):
    return make_user("rosa")


def found(user, **extra):
    arguments = {
        "name": "Riverside Tenants",
        "slug": "riverside-tenants",
        "founder_name": "Rosa Romero",
        "preset": "tenants-union",
        "branches": ["Oak Street", "Mill Lane"],
        "committee": ["sami@test.org"],
        "appeals": ["tove@test.org"],
    }
    return founding.request_founding(user, **{**arguments, **extra})


@pytest.mark.parametrize("slug", sorted(PRESETS))
def test_every_template_passes_the_guarantees_and_founds(slug, rosa, open_founding):
    preset = PRESETS[slug]
    ConstitutionVersion(number=1, adopted_at=timezone.now(), **preset.values).check_guarantees(
        offices=[]
    )
    request = found(rosa, preset=slug, slug=f"org-{slug}")
    constitution = request.organisation.current_constitution()
    assert constitution.number == 1
    assert constitution.term_limit == preset.values["term_limit"]
    assert constitution.admission_rule == preset.values["admission_rule"]


def test_open_founding_makes_the_organisation_with_lapsing_founders(
    rosa, open_founding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = found(rosa, constitution={"term_limit": 3, "quorum_percent": "12.5"})
    organisation = request.organisation
    assert request.status == FoundingRequest.Status.FOUNDED
    founder = Member.objects.get(organisation=organisation, user=rosa)
    assert founder.name == "Rosa Romero" and founder.standing == Standing.GOOD
    term = Term.objects.current().get(member=founder)
    assert term.ends_at <= timezone.now() + timedelta(days=90)
    assert has_power(founder, "admit_members")
    constitution = organisation.current_constitution()
    assert constitution.term_limit == 3 and constitution.quorum_percent == Decimal("12.5")
    names = set(organisation.branches.exclude(parent=None).values_list("name", flat=True))
    assert names == {"Oak Street", "Mill Lane"}
    assert verify_chain(organisation).ok
    # The invitations are queued with the founding and sent by the queue.
    assert sorted(Email.objects.values_list("to", "kind")) == [
        ("sami@test.org", "invitation"),
        ("tove@test.org", "invitation"),
    ]
    assert mail.outbox == [] and deliver_due()["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["sami@test.org", "tove@test.org"]
    # Invitees' addresses are personal data: the public log does not carry them.
    for entry in AuditEntry.objects.filter(organisation=organisation):
        assert "sami@test.org" not in str(entry.data) and "sami" not in entry.target


def test_a_constitution_that_breaks_a_guarantee_is_refused_and_nothing_is_written(
    rosa, open_founding
):
    with pytest.raises(RuleViolation) as refused:
        found(rosa, constitution={"recall_threshold_percent": "60"})
    assert refused.value.field == "recall_threshold_percent"
    assert "recallable" in refused.value.message
    with pytest.raises(RuleViolation) as refused:
        found(rosa, constitution={"term_limit": 0})
    assert refused.value.field == "term_limit"
    with pytest.raises(RuleViolation) as refused:
        found(rosa, constitution={"appeal_body": 1})
    assert refused.value.field == "constitution"
    assert not Organisation.objects.exists() and not FoundingRequest.objects.exists()


def test_bad_names_are_refused_with_the_field(rosa, open_founding):
    found(rosa)
    with pytest.raises(RuleViolation) as refused:
        found(rosa, name="Another")
    assert refused.value.field == "slug" and "taken" in refused.value.message
    with pytest.raises(RuleViolation) as refused:
        found(rosa, slug="Not A Slug")
    assert refused.value.field == "slug"
    with pytest.raises(RuleViolation) as refused:
        found(rosa, slug="oak", branches=["Oak"])
    assert refused.value.field == "branches"
    with pytest.raises(RuleViolation) as refused:
        found(rosa, slug="x1", name="\u200b\u200b")  # invisible only
    assert refused.value.field == "name"
    with pytest.raises(RuleViolation) as refused:
        found(rosa, slug="x1", founder_name="Rosa\ud800")  # a lone surrogate
    assert refused.value.field == "founder_name"
    with pytest.raises(RuleViolation) as refused:
        found(rosa, slug="x2", committee=["not-an-email"])
    assert refused.value.field == "committee"
    with pytest.raises(RuleViolation) as refused:
        found(rosa, slug="x3", committee=["a@test.org"], appeals=["a@test.org"])
    assert refused.value.field == "appeals"


def test_on_approval_servers_the_request_waits_for_the_operator(rosa, settings):
    settings.TRIBUNE_FOUNDING = "approval"
    request = found(rosa)
    assert request.status == FoundingRequest.Status.PENDING
    assert not Organisation.objects.exists()
    with pytest.raises(RuleViolation):
        found(rosa, name="Same short name")  # a pending request keeps its short name
    organisation = founding.approve_founding(request)
    assert organisation.slug == "riverside-tenants"
    with pytest.raises(RuleViolation):
        founding.approve_founding(request)


def test_the_operator_may_refuse_with_a_reason(rosa, settings):
    settings.TRIBUNE_FOUNDING = "approval"
    request = found(rosa)
    with pytest.raises(RuleViolation):
        founding.refuse_founding(request, "")
    refused = founding.refuse_founding(request, "This server is for tenants in Riverside only.")
    assert refused.status == FoundingRequest.Status.REFUSED
    assert not Organisation.objects.exists()


def test_closed_servers_refuse_and_anonymous_cannot_found(rosa, settings):
    settings.TRIBUNE_FOUNDING = "closed"
    with pytest.raises(NotPermitted):
        found(rosa)
    settings.TRIBUNE_FOUNDING = "anything else"
    assert founding.founding_mode() == "closed"
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated):
        found(AnonymousUser())


def test_a_co_founder_accepts_with_their_verified_address_only(rosa, open_founding):
    organisation = found(rosa).organisation
    sami, intruder = make_user("sami"), make_user("ivo")
    unverified = make_user("tove", verified=False)
    (invitation,) = founding.invitations_for(sami)
    assert founding.invitations_for(intruder) == []
    assert founding.invitations_for(unverified) == []  # the address is not verified
    with pytest.raises(NotPermitted):
        founding.accept_invitation(intruder, invitation, name="Ivo")
    member = founding.accept_invitation(sami, invitation, name="Sami Sato")
    founder_term = Term.objects.current().get(member__user=rosa, member__organisation=organisation)
    term = Term.objects.current().get(member=member)
    assert term.ends_at <= founder_term.ends_at  # the seat lapses with the founders'
    assert has_power(member, "call_elections")
    with pytest.raises(NotPermitted):
        founding.accept_invitation(sami, invitation, name="Sami again")
    assert verify_chain(organisation).ok


def test_an_appeals_co_founder_sits_on_the_appeals_body(rosa, open_founding):
    organisation = found(rosa).organisation
    tove = make_user("tove")
    (invitation,) = founding.invitations_for(tove)
    member = founding.accept_invitation(tove, invitation, name="Tove Tanaka")
    term = Term.objects.current().get(member=member)
    assert term.office.body == organisation.current_constitution().appeal_body
    assert not has_power(member, "admit_members")


def test_invitations_end_with_the_provisional_period(rosa, open_founding):
    organisation = found(rosa).organisation
    invitation = FoundingInvitation.objects.get(organisation=organisation, email="sami@test.org")
    assert invitation.expires_at <= timezone.now() + timedelta(days=30, seconds=5)
    FoundingInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert founding.invitations_for(make_user("sami")) == []


# The founding page


def test_the_founding_page_founds_from_a_template(rosa, open_founding):
    client = Client()
    assert client.get("/found/").status_code == 302  # log in first
    client.force_login(rosa)
    page = client.get("/found/?preset=trade-union")
    assert page.status_code == 200
    assert "Trade union" in page.content.decode()
    assert 'name="c_term_limit"' in page.content.decode()
    response = client.post(
        "/found/",
        {
            "preset": "trade-union",
            "name": "Bakers' Union",
            "slug": "bakers",
            "founder_name": "Rosa Romero",
            "branches": "North bakery\nSouth bakery",
            "committee": "",
            "appeals": "",
            **_constitution_form("trade-union"),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/o/bakers/"
    assert Organisation.objects.get(slug="bakers").current_constitution().term_limit == 3


def test_the_founding_page_shows_a_refused_guarantee_on_its_field(rosa, open_founding):
    client = Client()
    client.force_login(rosa)
    data = _constitution_form("tenants-union")
    data["c_recall_threshold_percent"] = "80"
    response = client.post(
        "/found/",
        {"preset": "tenants-union", "name": "X", "slug": "x", "founder_name": "Rosa", **data},
    )
    assert response.status_code == 400
    assert "recallable" in response.content.decode()
    assert not Organisation.objects.exists()


def test_the_founding_page_says_when_founding_is_closed(rosa, settings):
    settings.TRIBUNE_FOUNDING = "closed"
    client = Client()
    client.force_login(rosa)
    page = client.get("/found/").content.decode()
    assert "closed on this server" in page and 'name="slug"' not in page
    assert "Found an organisation" not in client.get("/").content.decode()


def test_the_invitations_page_seats_the_co_founder(rosa, open_founding):
    found(rosa)
    sami = make_user("sami")
    client = Client()
    client.force_login(sami)
    assert "invited to found" in client.get("/").content.decode()
    invitation = FoundingInvitation.objects.get(email="sami@test.org")
    response = client.post(
        "/found/invitations/", {"invitation": invitation.pk, "name": "Sami Sato"}
    )
    assert response.status_code == 302
    assert Member.objects.filter(user=sami, name="Sami Sato").exists()
    other = Client()
    other.force_login(make_user("ivo"))
    refused = other.post("/found/invitations/", {"invitation": invitation.pk, "name": "Ivo"})
    assert refused.status_code == 400 and "not open to you" in refused.content.decode()
    empty = other.post("/found/invitations/", {})  # nothing chosen: the page again, no error
    assert empty.status_code == 200


def _constitution_form(preset: str) -> dict:
    values = PRESETS[preset].values
    return {
        f"c_{k}": ("on" if v else "") if isinstance(v, bool) else str(v) for k, v in values.items()
    }


# The API and the command


def test_the_api_founds_and_answers_refusals_with_the_field(rosa, settings):
    settings.TRIBUNE_FOUNDING = "open"
    client = Client()
    body = {
        "name": "API Union",
        "slug": "api-union",
        "founder_name": "Rosa",
        "preset": "federation",
    }
    anonymous = client.post("/api/v1/founding/", body, content_type="application/json")
    assert anonymous.status_code == 401
    client.force_login(rosa)
    templates = client.get("/api/v1/founding/templates").json()
    assert {t["slug"] for t in templates} == set(PRESETS)
    bad = client.post(
        "/api/v1/founding/",
        {**body, "constitution": {"term_limit": 0}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["detail"][0]["field"] == "term_limit"
    created = client.post("/api/v1/founding/", body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["organisation"] == "api-union"
    settings.TRIBUNE_FOUNDING = "closed"
    closed = client.post(
        "/api/v1/founding/", {**body, "slug": "other"}, content_type="application/json"
    )
    assert closed.status_code == 403


def test_the_api_lists_and_accepts_invitations(rosa, open_founding):
    found(rosa)
    client = Client()
    client.force_login(make_user("sami"))
    (invitation,) = client.get("/api/v1/founding/invitations").json()
    assert invitation["organisation"] == "riverside-tenants"
    accepted = client.post(
        f"/api/v1/founding/invitations/{invitation['id']}/accept",
        {"name": "Sami"},
        content_type="application/json",
    )
    assert accepted.status_code == 201
    again = client.post(
        f"/api/v1/founding/invitations/{invitation['id']}/accept",
        {"name": "Sami"},
        content_type="application/json",
    )
    assert again.status_code == 403


def test_the_operator_founds_and_approves_from_the_command_line(rosa, settings, capsys):
    settings.TRIBUNE_FOUNDING = "closed"  # the operator's own act needs no setting
    call_command(
        "found",
        "--name=Dock Workers",
        "--slug=dockers",
        "--founder-email=newcomer@test.org",
        "--founder-name=Nuno",
        "--template=trade-union",
        "--branch=Pier 1",
    )
    organisation = Organisation.objects.get(slug="dockers")
    assert organisation.branches.count() == 2
    founder = Member.objects.get(organisation=organisation)
    assert founder.user.email == "newcomer@test.org" and not founder.user.has_usable_password()
    with pytest.raises(CommandError):
        call_command(
            "found", "--name=X", "--slug=dockers", "--founder-email=a@b.org", "--founder-name=A"
        )
    settings.TRIBUNE_FOUNDING = "approval"
    request = found(rosa)
    call_command("founding", "list")
    assert "riverside-tenants" in capsys.readouterr().out
    call_command("founding", "approve", str(request.pk))
    assert Organisation.objects.filter(slug="riverside-tenants").exists()
