"""``tribune peers``: the operator links this server with others and watches the links.

tribune peers list [--json]     every peer, its link and its deliveries
tribune peers request URL       ask the server at URL for a link
tribune peers approve ID        approve a link another server asked for
tribune peers revoke ID         end a link (the peer gets 403 from now)
tribune peers retry ID          send a peer's failed messages again
tribune peers witness           offer the audit checkpoints to every peer now
tribune peers check             compare our logs with what peers countersigned
"""

import json

from django.core.management.base import BaseCommand, CommandError

from tribune.federation import acts, delivery, keys, links, witness
from tribune.federation.models import Peer, WitnessAlarm
from tribune.lib.errors import RuleViolation


class Command(BaseCommand):
    help = "Links with other servers: list, request URL, approve|revoke|retry ID, witness, check."

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            choices=["list", "request", "approve", "revoke", "retry", "ping", "witness", "check"],
        )
        parser.add_argument(
            "target", nargs="?", help="a server's address (request) or a peer's number"
        )
        parser.add_argument("--json", action="store_true", help="list as JSON")
        parser.add_argument("--count", type=int, default=1, help="how many pings")

    def handle(self, *args, action, target=None, json=False, count=1, **options):
        try:
            if action == "list":
                return self._list(json)
            if action == "request":
                if not target:
                    raise CommandError("Give the other server's address (https://…).")
                peer = links.request_link(target)
                self.stdout.write(f"#{peer.pk} {peer.actor_id}: {peer.get_status_display()}")
                return
            if action == "witness":
                self.stdout.write(f"Offered {witness.offer_checkpoints()} checkpoint(s) to peers.")
                return
            if action == "check":
                return self._check()
            peer = Peer.objects.filter(pk=int(target) if (target or "").isdigit() else 0).first()
            if peer is None:
                raise CommandError("Give the number of a peer (see `tribune peers list`).")
            if action == "approve":
                links.approve(peer)
            elif action == "revoke":
                links.revoke(peer)
            elif action == "ping":
                self.stdout.write(f"{links.ping(peer, max(1, min(count, 10_000)))} ping(s) queued.")
            else:
                self.stdout.write(f"{links.retry(peer)} message(s) queued again.")
            peer.refresh_from_db()
            self.stdout.write(f"#{peer.pk} {peer.actor_id}: {peer.get_status_display()}")
        except RuleViolation as violation:
            raise CommandError(violation.message) from None

    def _list(self, as_json: bool) -> None:
        rows = []
        for peer in Peer.objects.all():
            rows.append(
                {
                    "id": peer.pk,
                    "actor": peer.actor_id,
                    "name": peer.name,
                    "status": peer.status,
                    "deliveries": delivery.summary(peer),
                    "alarms": WitnessAlarm.objects.filter(peer=peer).count(),
                }
            )
        if as_json:
            self.stdout.write(json.dumps({"server": keys.actor_id(), "peers": rows}))
            return
        self.stdout.write(f"This server: {keys.actor_id()}")
        for row in rows:
            d = row["deliveries"]
            self.stdout.write(
                f"#{row['id']} {row['name'] or row['actor']} [{row['status']}] "
                f"delivered {d['delivered']}, queued {d['queued']}, failed {d['failed']}, "
                f"refused {d['refused']}"
                + (f", {row['alarms']} witnessing alarm(s)" if row["alarms"] else "")
            )
        if not rows:
            self.stdout.write("No peer yet: `tribune peers request https://other.example`.")

    def _check(self) -> None:
        findings = witness.check()
        broken = [f for f in findings if not f.ok]
        for finding in findings:
            mark = "ok" if finding.ok else "BROKEN"
            self.stdout.write(
                f"{finding.organisation} #{finding.seq} witnessed by {finding.peer}: {mark}"
                + (f" — {finding.reason}" if finding.reason else "")
            )
        if not findings:
            self.stdout.write("No checkpoint of ours is countersigned by a peer yet.")
        whole, first_broken = acts.verify()
        self.stdout.write(
            "The log of operators' link acts is whole."
            if whole
            else f"The log of operators' link acts is broken at #{first_broken}."
        )
        if not whole:
            raise CommandError("The log of operators' link acts was changed.")
        if broken:
            raise CommandError(f"{len(broken)} witnessed checkpoint(s) no longer match the log.")
