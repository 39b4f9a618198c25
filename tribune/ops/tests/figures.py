"""What must survive an upgrade: counts of the records and the chains' heads.

Plain Django ORM over models every release has, so the snapshot script can run it
with the *old* release's code (``exec``) and the upgrade test with the new.
"""


def figures() -> dict:
    from tribune.audit.models import AuditEntry, Checkpoint
    from tribune.elections.models import Ballot, Election
    from tribune.members.models import Member
    from tribune.organisations.models import Organisation

    heads = {}
    for org in Organisation.objects.order_by("slug"):
        last = AuditEntry.objects.filter(organisation=org).order_by("-seq").first()
        heads[org.slug] = [last.seq, last.hash] if last else [0, ""]
    return {
        "organisations": Organisation.objects.count(),
        "members": Member.objects.count(),
        "elections": Election.objects.count(),
        "ballots": Ballot.objects.count(),
        "checkpoints": Checkpoint.objects.count(),
        "heads": heads,
    }
