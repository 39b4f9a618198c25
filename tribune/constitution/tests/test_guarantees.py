"""The guarantees no constitution version may break, tried one by one."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import CONSTITUTION
from tribune.constitution.models import ConstitutionVersion
from tribune.lib.errors import RuleViolation
from tribune.offices.models import BodyKind
from tribune.offices.services import create_body, create_office
from tribune.organisations.services import found_organisation


def _found(**overrides):
    return found_organisation(
        name="X",
        slug="x",
        constitution={**CONSTITUTION, **overrides},
        founders=[{"name": "Founder", "email": "f@x.org"}],
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"term_limit": None}, "term_limit", "finite term limit"),
        ({"term_limit": 0}, "term_limit", "finite term limit"),
        ({"recall_threshold_percent": Decimal("25.01")}, "recall_threshold_percent", "recallable"),
        ({"recall_threshold_percent": Decimal("0")}, "recall_threshold_percent", "recallable"),
        ({"max_term_days": 100 * 365}, "max_term_days", "maximum term"),
        ({"default_term_days": 800}, "default_term_days", "default term"),
        (
            {"amendment_majority_numerator": 1, "amendment_majority_denominator": 3},
            "amendment_majority_numerator",
            "between one half and all",
        ),
        ({"faction_threshold": 0}, "faction_threshold", "at least one"),
    ],
)
def test_founding_constitution_that_breaks_a_guarantee_is_refused(overrides, field, message):
    with pytest.raises(RuleViolation) as refused:
        _found(**overrides)
    assert refused.value.field == field
    assert message in refused.value.message
    from tribune.organisations.models import Organisation

    assert not Organisation.objects.exists(), "nothing half-written"


def test_recall_threshold_of_exactly_25_percent_is_allowed(db):
    org = _found(recall_threshold_percent=Decimal("25"))
    assert org.current_constitution().recall_threshold_percent == 25


def test_office_without_mandate_is_refused(world):
    body = create_body(world.org, name="Press office", kind=BodyKind.STAFF)
    with pytest.raises(RuleViolation, match="no mandate"):
        create_office(body, title="Press officer", mandate="   ", term_days=365)


def test_office_with_term_longer_than_the_maximum_is_refused(world):
    body = create_body(world.org, name="Press office", kind=BodyKind.STAFF)
    with pytest.raises(RuleViolation, match="at most 730"):
        create_office(body, title="Press officer", mandate="Talk to the press.", term_days=731)


def test_office_with_unknown_power_is_refused(world):
    body = create_body(world.org, name="Press office", kind=BodyKind.STAFF)
    with pytest.raises(RuleViolation, match="dissolve_factions"):
        create_office(
            body, title="Boss", mandate="Rule.", term_days=30, powers=["dissolve_factions"]
        )


def test_new_version_may_not_shorten_the_maximum_below_an_existing_office(world):
    body = create_body(world.org, name="Press office", kind=BodyKind.STAFF)
    create_office(body, title="Press officer", mandate="Talk to the press.", term_days=700)
    current = world.org.current_constitution()
    proposed = ConstitutionVersion(
        organisation=world.org,
        number=current.number + 1,
        adopted_at=timezone.now(),
        adopted_how="test",
        **{**CONSTITUTION, "max_term_days": 365, "default_term_days": 365},
    )
    with pytest.raises(RuleViolation, match="Press officer"):
        proposed.check_guarantees()


def test_a_version_is_never_edited(world):
    version = world.org.current_constitution()
    version.term_limit = 99
    with pytest.raises(RuleViolation, match="never edited"):
        version.save()
    version.refresh_from_db()
    assert version.term_limit == 2


def test_constitution_page_shows_every_version_with_date_and_how(world, client):
    page = client.get(f"/o/{world.org.slug}/constitution/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Founding constitution" in text
    assert timezone.now().strftime("%Y") in text
    assert "2 consecutive terms" in text


def test_founders_terms_lapse(world):
    terms = world.ana.terms.all()
    assert terms
    for term in terms:
        assert term.ends_at - term.starts_at <= timedelta(days=90)
