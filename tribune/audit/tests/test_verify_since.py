"""Public verification reads only what came since the last verification that passed,
and anonymous callers are rate-limited (issue 12: 0.3 s a call was a cheap denial of service)."""

from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test import Client

from tribune.audit import log
from tribune.audit.log import record, verify_since_verified

URL = "/api/v1/organisations/test-union/audit/verify"


def test_a_second_verification_reads_only_the_new_entries(world):
    total = world.org.audit_entries.count()
    first = verify_since_verified(world.org)
    assert first.ok and first.entries == total
    record(world.org, "member.admitted", actor=world.ana, target="member:1")
    with mock.patch.object(log, "verify_chain", wraps=log.verify_chain) as walked:
        again = verify_since_verified(world.org)
    assert again.ok and again.entries == total + 1
    assert walked.call_args.kwargs["after_seq"] == total


def test_the_verified_point_is_rechecked_and_a_break_after_it_is_found(world):
    assert verify_since_verified(world.org).ok
    last = world.org.audit_entries.order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET action = %s WHERE id = %s", ["member.pardoned", last.id]
        )
    result = verify_since_verified(world.org)  # the point itself no longer hashes: from the start
    assert (result.ok, result.broken_seq) == (False, last.seq)
    assert cache.get(log._verified_key(world.org)) is None


def test_anonymous_verification_is_rate_limited_and_members_are_not(world):
    anonymous = Client()
    statuses = [anonymous.get(URL).status_code for _ in range(log.PUBLIC_VERIFY_LIMIT.attempts)]
    assert statuses == [200] * log.PUBLIC_VERIFY_LIMIT.attempts
    refused = anonymous.get(URL)
    assert refused.status_code == 429 and "wait" in refused.json()["detail"][0]["reason"]
    assert anonymous.get("/o/test-union/audit/?verify=1").status_code == 429
    member = Client()
    member.force_login(world.users["ben"])
    assert member.get(URL).status_code == 200
