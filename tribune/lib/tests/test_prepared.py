"""A prepared query gives the rows the ORM gives, with fresh values on every call."""

import pytest
from django.db.models import Q

from tribune.lib.prepared import Prepared
from tribune.members.models import Member


def by_organisation(slug: str, name: str):
    return (
        Member.objects.filter(organisation__slug=slug, name__gte=name)
        .order_by("name", "pk")
        .values_list("pk", "name", "applied_at")
    )


def test_the_same_rows_as_the_orm_each_time(world):
    prepared = Prepared(by_organisation, str, str)
    for name in ("", "B", "Zz"):
        assert prepared(world.org.slug, name) == list(by_organisation(world.org.slug, name))
    assert prepared("no-such-organisation", "") == []
    # Converted as the ORM converts (a datetime, not the database's text).
    assert prepared(world.org.slug, "")[0][2] == Member.objects.order_by("name", "pk")[0].applied_at
    # What changes between calls is seen: the SQL is kept, not the rows.
    Member.objects.filter(pk=world.ben.pk).update(name="Aaron")
    assert (world.ben.pk, "Aaron") in [row[:2] for row in prepared(world.org.slug, "")]


def test_an_argument_the_sql_does_not_carry_unchanged_once_is_refused():
    def twice(pk: int):
        return Member.objects.filter(Q(pk=pk) | Q(home_branch_id=pk)).values_list("pk")

    def changed(name: str):
        return Member.objects.filter(name__icontains=name).values_list("pk")  # sent as %name%

    for build, kind in ((twice, int), (changed, str)):
        with pytest.raises(ValueError):
            Prepared(build, kind)(1 if kind is int else "x")


def test_the_first_row_as_an_instance(world):
    from tribune.lib.prepared import PreparedFirst

    first = PreparedFirst(
        Member, lambda slug: Member.objects.filter(organisation__slug=slug).order_by("pk"), str
    )
    member = first.first(world.org.slug)
    expected = Member.objects.filter(organisation=world.org).order_by("pk").first()
    assert member == expected
    for field in Member._meta.concrete_fields:
        assert getattr(member, field.attname) == getattr(expected, field.attname), field.name
    assert first.first("no-such-organisation") is None
