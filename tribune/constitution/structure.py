"""The organisation's structure — its bodies and offices — as part of the constitution.

The structure is data in each constitution version: a list of bodies, each with
its offices (title, written mandate, powers from the registry, seats, term,
term limit, who elects, counting method). Members read it, compare it between
versions and change it only by adopting a new version. The ``Body`` and
``Office`` rows the rest of Tribune works with are *made from* the current
version (``materialise``), never edited on their own.

Written here rather than taken from a library: what a structure may say is our
constitution's rule (``check_structure``), not a generic schema's.

A body::

    {"key": "executive", "name": "Executive committee", "kind": "committee",
     "branch": "" (the whole organisation) or a branch's short name,
     "description": "...", "hears_appeals": false, "offices": [office, ...]}

An office::

    {"key": "member", "title": "Executive member", "mandate": "...",
     "powers": ["call_elections"], "seats": 5, "term_days": 730, "term_limit": 2,
     "electorate": {"kind": "members"} | {"kind": "branch", "branch": "north"}
                   | {"kind": "body", "body": "council"},
     "method": "scottish-stv"}
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tribune.lib.errors import RuleViolation
from tribune.lib.inputs import MAX_SEATS, text_problem

# Sent after the structure's bodies and offices are made from a new version, with
# ``abolished``: the offices that no longer exist (the elections app cancels their
# pending elections; the offices app has already ended their terms).
structure_changed = Signal()

BODY_KINDS = {
    "committee": _("Committee"),
    "commission": _("Commission"),
    "delegation": _("Delegation"),
    "staff": _("Full-time staff post"),
}
METHODS = {
    "irv": _("Instant-runoff (one seat)"),
    "scottish-stv": _("Single transferable vote (Scottish rules)"),
    "meek-stv": _("Single transferable vote (Meek)"),
}
# "congress": the participants of a congress of the whole organisation elect, at the
# congress (``assemblies.services.call_congress_elections``); the clock does not.
ELECTORATES = ("members", "branch", "body", "congress")
BODY_KEYS = {"key", "name", "kind", "branch", "description", "hears_appeals", "offices"}
# Deliberately no eligibility of any kind: any member in good standing may stand.
OFFICE_KEYS = {
    "key",
    "title",
    "mandate",
    "powers",
    "seats",
    "term_days",
    "term_limit",
    "electorate",
    "method",
}
MAX_BODIES = 200
MAX_OFFICES = 50  # per body
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


def default_method(seats: int) -> str:
    """STV where several seats are filled, so that minorities get their share."""
    return "irv" if seats == 1 else "scottish-stv"


def _fail(message: str) -> RuleViolation:
    return RuleViolation(message, "structure")


def _text(value, *, what: str, limit: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fail(_t("%(what)s must be text.") % {"what": what})
    problem = text_problem(value, max_length=limit)
    if problem:
        raise _fail(f"{what}: {problem}")
    if required and not value.strip():
        raise _fail(_t("%(what)s is missing.") % {"what": what})
    return value.strip()


def _whole(value, *, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(
            _t("%(what)s must be a whole number from %(low)s to %(high)s.")
            % {"what": what, "low": low, "high": high}
        )
    return value


def check_structure(version) -> None:
    """Refuse a structure that breaks a guarantee or names what does not exist.

    Every office has a mandate, a finite term no longer than the constitution's
    maximum, a term limit no laxer than the constitution's, powers from the
    registry, at least one seat, a counting method that suits its seats, and
    an electorate of members (a branch's, or a body's holders). Nothing bars
    any member from standing: an office has no field that could.
    """
    from tribune.offices.models import Body
    from tribune.offices.powers import POWERS
    from tribune.organisations.models import Branch

    structure = version.structure
    if structure in (None, ""):
        return
    if not isinstance(structure, list):
        raise _fail(_t("The structure is a list of bodies."))
    if len(structure) > MAX_BODIES:
        raise _fail(_t("At most %(n)s bodies.") % {"n": MAX_BODIES})
    branches = set(
        Branch.objects.filter(organisation_id=version.organisation_id).values_list(
            "slug", flat=True
        )
    )
    taken = set(
        Body.objects.filter(
            organisation_id=version.organisation_id, in_structure=False
        ).values_list("slug", flat=True)
    )
    body_keys: set[str] = set()
    for body in structure:
        if not isinstance(body, dict):
            raise _fail(_t("Each body is described by its name, kind and offices."))
        unknown = set(body) - BODY_KEYS
        if unknown:
            raise _fail(_t("Unknown detail of a body: %(k)s.") % {"k": ", ".join(sorted(unknown))})
        key = body.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            raise _fail(_t("Each body needs a short name of small letters, digits and dashes."))
        if key in body_keys:
            raise _fail(_t("Two bodies share the short name “%(key)s”.") % {"key": key})
        if key in taken:
            raise _fail(_t("The short name “%(key)s” is already used.") % {"key": key})
        body_keys.add(key)
        name = _text(body.get("name"), what=_t("A body's name"), limit=200)
        if not isinstance(body.get("kind"), str) or body["kind"] not in BODY_KINDS:
            raise _fail(
                _t("“%(name)s”: choose what kind of body it is (%(kinds)s).")
                % {"name": name, "kinds": ", ".join(str(k) for k in BODY_KINDS.values())}
            )
        if body.get("branch") and (
            not isinstance(body["branch"], str) or body["branch"] not in branches
        ):
            raise _fail(_t("“%(name)s”: no such branch.") % {"name": name})
        _text(body.get("description"), what=_t("A body's description"), limit=5000, required=False)
        if not isinstance(body.get("hears_appeals", False), bool):
            raise _fail(_t("Whether a body hears appeals is yes or no."))
    if sum(1 for b in structure if b.get("hears_appeals")) > 1:
        raise _fail(_t("Only one body hears appeals."))
    for body in structure:
        offices = body.get("offices", [])
        if not isinstance(offices, list) or len(offices) > MAX_OFFICES:
            raise _fail(
                _t("“%(name)s”: a list of at most %(n)s offices.")
                % {"name": body["name"], "n": MAX_OFFICES}
            )
        office_keys: set[str] = set()
        for office in offices:
            _check_office(office, body, version, office_keys, branches, body_keys, POWERS)


def _check_office(office, body, version, office_keys, branches, body_keys, powers) -> None:
    if not isinstance(office, dict):
        raise _fail(_t("Each office is described by its title, mandate and term."))
    unknown = set(office) - OFFICE_KEYS
    if unknown:
        raise _fail(
            _t("Unknown detail of an office: %(k)s. (No office may have conditions for standing.)")
            % {"k": ", ".join(sorted(unknown))}
        )
    key = office.get("key")
    if not isinstance(key, str) or not KEY.match(key) or key in office_keys:
        raise _fail(
            _t("“%(body)s”: each office needs its own short name.") % {"body": body["name"]}
        )
    office_keys.add(key)
    title = _text(office.get("title"), what=_t("An office's title"), limit=200)
    mandate = office.get("mandate")
    if not isinstance(mandate, str) or not mandate.strip():
        raise _fail(
            _t("Office “%(title)s” has no mandate: every office needs one.") % {"title": title}
        )
    _text(mandate, what=_t("A mandate"), limit=10000)
    granted = office.get("powers", [])
    if not isinstance(granted, list) or not all(isinstance(p, str) for p in granted):
        raise _fail(_t("An office's powers are a list from the registry."))
    unknown_powers = set(granted) - set(powers)
    if unknown_powers:
        raise _fail(
            _t("Unknown powers: %(powers)s.") % {"powers": ", ".join(sorted(unknown_powers))}
        )
    seats = _whole(
        office.get("seats", 1), what=_t("“%(t)s”: seats") % {"t": title}, low=1, high=MAX_SEATS
    )
    term_days = office.get("term_days", version.default_term_days)
    if (
        isinstance(term_days, bool)
        or not isinstance(term_days, int)
        or not (1 <= term_days <= version.max_term_days)
    ):
        raise _fail(
            _t(
                "Office “%(title)s” has a term of %(days)s days; the constitution allows "
                "at most %(max)s."
            )
            % {"title": title, "days": term_days, "max": version.max_term_days}
        )
    limit = version.term_limit or 1
    _whole(
        office.get("term_limit", limit),
        what=_t("“%(t)s”: the term limit (consecutive terms)") % {"t": title},
        low=1,
        high=limit,
    )
    method = office.get("method", default_method(seats))
    if not isinstance(method, str) or method not in METHODS:
        raise _fail(_t("“%(t)s”: unknown counting method.") % {"t": title})
    if method == "irv" and seats > 1:
        raise _fail(
            _t("“%(t)s” has %(n)s seats: instant-runoff fills one; choose STV.")
            % {"t": title, "n": seats}
        )
    electorate = office.get("electorate", {"kind": "members"})
    if not isinstance(electorate, dict) or not all(isinstance(v, str) for v in electorate.values()):
        raise _fail(_t("“%(t)s”: say who elects this office.") % {"t": title})
    if electorate.get("kind") not in ELECTORATES:
        raise _fail(_t("“%(t)s”: say who elects this office.") % {"t": title})
    if set(electorate) - {"kind", "branch", "body"}:
        raise _fail(_t("“%(t)s”: say who elects this office.") % {"t": title})
    if electorate["kind"] == "branch" and electorate.get("branch") not in branches:
        raise _fail(_t("“%(t)s” is elected by a branch that does not exist.") % {"t": title})
    if electorate["kind"] == "body" and (
        electorate.get("body") not in body_keys or electorate.get("body") == body["key"]
    ):
        # A body electing its own members would be a closed circle no member could enter.
        raise _fail(_t("“%(t)s” must be elected by another body of the structure.") % {"t": title})


# --- editing: each function returns a new structure, the old one untouched -------------------


def _copy(structure) -> list:
    return copy.deepcopy(list(structure or []))


def _free_key(wanted: str, taken: set[str], fallback: str) -> str:
    base = (slugify(wanted) or fallback)[:40]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def find_body(structure, key: str) -> dict:
    for body in structure:
        if body.get("key") == key:
            return body
    raise _fail(_t("No such body in the structure."))


def find_office(structure, body_key: str, office_key: str) -> dict:
    for office in find_body(structure, body_key).get("offices", []):
        if office.get("key") == office_key:
            return office
    raise _fail(_t("No such office in the structure."))


def add_body(
    structure, *, name: str, kind: str, branch: str = "", description: str = "", taken=()
) -> tuple[list, str]:
    """Add a body; ``taken`` are short names used outside the structure."""
    new = _copy(structure)
    key = _free_key(name, {b.get("key") for b in new} | set(taken), "body")
    new.append(
        {
            "key": key,
            "name": name,
            "kind": kind,
            "branch": branch or "",
            "description": description,
            "offices": [],
        }
    )
    return new, key


def remove_body(structure, key: str) -> list:
    new = _copy(structure)
    find_body(new, key)
    return [b for b in new if b.get("key") != key]


def office_entry(version, **values) -> dict:
    """An office as the structure stores it: every setting explicit, defaults filled in."""
    seats = values.get("seats") or 1
    entry = {
        "key": values.get("key", ""),
        "title": values.get("title", ""),
        "mandate": values.get("mandate", ""),
        "powers": sorted(set(values.get("powers") or [])),
        "seats": seats,
        "term_days": values.get("term_days") or version.default_term_days,
        "term_limit": values.get("term_limit") or version.term_limit,
        "electorate": values.get("electorate") or {"kind": "members"},
        "method": values.get("method") or default_method(seats),
    }
    return entry


def put_office(structure, version, body_key: str, **values) -> tuple[list, str]:
    """Add an office to a body, or change it when ``values`` names an existing key."""
    new = _copy(structure)
    body = find_body(new, body_key)
    offices = body.setdefault("offices", [])
    key = values.get("key") or ""
    if key:
        find_office(new, body_key, key)
    else:
        key = _free_key(values.get("title", ""), {o.get("key") for o in offices}, "office")
    entry = office_entry(version, **{**values, "key": key})
    keys = [o.get("key") for o in offices]
    if key in keys:
        offices[keys.index(key)] = entry  # changed in its place
    else:
        offices.append(entry)
    return new, key


def remove_office(structure, body_key: str, office_key: str) -> list:
    new = _copy(structure)
    body = find_body(new, body_key)
    find_office(new, body_key, office_key)
    body["offices"] = [o for o in body["offices"] if o.get("key") != office_key]
    return new


# --- reading it ------------------------------------------------------------------------------


@dataclass
class OfficeView:
    """An office of the structure as members read it."""

    key: str
    title: str
    mandate: str
    powers: list[str]
    power_names: list[str]
    seats: int
    term_days: int
    term_limit: int
    electorate: str
    method: str


@dataclass
class BodyView:
    key: str
    name: str
    kind: str
    branch: str
    description: str
    hears_appeals: bool
    offices: list[OfficeView] = field(default_factory=list)


def electorate_label(electorate: dict, branch_names: dict, body_names: dict) -> str:
    kind = (electorate or {}).get("kind", "members")
    if kind == "branch":
        return _t("the members of %(b)s") % {
            "b": branch_names.get(electorate.get("branch"), electorate.get("branch"))
        }
    if kind == "body":
        return _t("the members of the %(b)s") % {
            "b": body_names.get(electorate.get("body"), electorate.get("body"))
        }
    if kind == "congress":
        return _t("the congress")
    return _t("the members")


def read(version) -> list[BodyView]:
    """The structure of ``version`` in plain words, for its page and its comparison."""
    from tribune.offices.powers import POWERS
    from tribune.organisations.models import Branch

    branch_names = dict(
        Branch.objects.filter(organisation_id=version.organisation_id).values_list("slug", "name")
    )
    root = version.organisation.root_branch
    structure = version.structure or []
    body_names = {b.get("key"): b.get("name") for b in structure}
    bodies = []
    for body in structure:
        branch = body.get("branch") or ""
        view = BodyView(
            key=body["key"],
            name=body["name"],
            kind=str(BODY_KINDS.get(body.get("kind"), body.get("kind"))),
            branch=branch_names.get(branch, "") if branch else (root.name if root else ""),
            description=body.get("description", ""),
            hears_appeals=bool(body.get("hears_appeals")),
        )
        for office in body.get("offices", []):
            seats = office.get("seats", 1)
            electorate = dict(office.get("electorate") or {"kind": "members"})
            if electorate.get("kind") == "members" and branch:
                electorate = {"kind": "branch", "branch": branch}
            view.offices.append(
                OfficeView(
                    key=office["key"],
                    title=office["title"],
                    mandate=office["mandate"],
                    powers=list(office.get("powers", [])),
                    power_names=[str(POWERS.get(p, p)) for p in office.get("powers", [])],
                    seats=seats,
                    term_days=office.get("term_days", version.default_term_days),
                    term_limit=office.get("term_limit", version.term_limit),
                    electorate=electorate_label(electorate, branch_names, body_names),
                    method=str(METHODS.get(office.get("method", default_method(seats)), "")),
                )
            )
        bodies.append(view)
    return bodies


@dataclass
class StructureChange:
    """One body or office added, removed or changed, with what changed in words."""

    what: str  # "added", "removed", "changed"
    body: str
    office: str = ""
    details: list[tuple[str, str, str]] = field(default_factory=list)


def _office_lines(office: OfficeView) -> dict[str, str]:
    return {
        _t("title"): office.title,
        _t("mandate"): office.mandate,
        _t("powers"): ", ".join(office.power_names) or "—",
        _t("seats"): str(office.seats),
        _t("term (days)"): str(office.term_days),
        _t("term limit"): str(office.term_limit),
        _t("elected by"): office.electorate,
        _t("counting method"): office.method,
    }


def compare(old, new) -> list[StructureChange]:
    """What the structure of ``new`` changes from ``old``, office by office."""
    before = {b.key: b for b in read(old)}
    after = {b.key: b for b in read(new)}
    changes: list[StructureChange] = []
    for key, body in after.items():
        if key not in before:
            changes.append(StructureChange("added", body.name))
            for office in body.offices:
                changes.append(
                    StructureChange(
                        "added",
                        body.name,
                        office.title,
                        [(k, "", v) for k, v in _office_lines(office).items()],
                    )
                )
            continue
        was = before[key]
        body_details = [
            (label, str(a), str(b))
            for label, a, b in (
                (_t("name"), was.name, body.name),
                (_t("kind"), was.kind, body.kind),
                (_t("branch"), was.branch, body.branch),
                (_t("description"), was.description, body.description),
                (_t("hears appeals"), was.hears_appeals, body.hears_appeals),
            )
            if a != b
        ]
        if body_details:
            changes.append(StructureChange("changed", body.name, "", body_details))
        old_offices = {o.key: o for o in was.offices}
        new_offices = {o.key: o for o in body.offices}
        for okey, office in new_offices.items():
            lines = _office_lines(office)
            if okey not in old_offices:
                changes.append(
                    StructureChange(
                        "added", body.name, office.title, [(k, "", v) for k, v in lines.items()]
                    )
                )
                continue
            old_lines = _office_lines(old_offices[okey])
            details = [(k, old_lines[k], v) for k, v in lines.items() if old_lines[k] != v]
            if details:
                changes.append(StructureChange("changed", body.name, office.title, details))
        for okey, office in old_offices.items():
            if okey not in new_offices:
                changes.append(StructureChange("removed", body.name, office.title))
    for key, body in before.items():
        if key not in after:
            changes.append(StructureChange("removed", body.name))
    return changes


# --- making bodies and offices from the adopted version --------------------------------------


@transaction.atomic
def materialise(version, now=None):
    """Make the organisation's structural bodies and offices what ``version`` says.

    New bodies and offices are created; changed ones take their new settings
    (seats and terms apply to the terms that begin from now); those the version
    no longer has are abolished and their current terms end now. Returns the
    body that hears appeals under this version, or None.
    """
    from tribune.audit.log import record
    from tribune.offices.models import Body, Office, Term
    from tribune.organisations.models import Branch

    now = now or timezone.now()
    organisation = version.organisation
    branches = {b.slug: b for b in Branch.objects.filter(organisation=organisation)}
    root = organisation.root_branch
    existing = {
        b.slug: b for b in Body.objects.filter(organisation=organisation, in_structure=True)
    }
    structure = version.structure or []
    bodies: dict[str, Body] = {}
    appeals = None
    for entry in structure:
        body = existing.get(entry["key"]) or Body(
            organisation=organisation, slug=entry["key"], in_structure=True
        )
        created = body.pk is None
        body.name = entry["name"]
        body.kind = entry["kind"]
        body.branch = branches.get(entry.get("branch") or "") or root
        body.description = entry.get("description", "")
        body.abolished_at = None
        body.save()
        if created:
            record(organisation, "body.created", target=body, data={"name": body.name})
        bodies[entry["key"]] = body
        if entry.get("hears_appeals"):
            appeals = body
    abolished: list[Office] = []
    for entry in structure:
        body = bodies[entry["key"]]
        offices = {o.key: o for o in Office.objects.filter(body=body)}
        keep = set()
        for item in entry.get("offices", []):
            office = offices.get(item["key"]) or Office(body=body, key=item["key"])
            created = office.pk is None
            seats = item.get("seats", 1)
            electorate = item.get("electorate") or {"kind": "members"}
            office.title = item["title"]
            office.mandate = item["mandate"]
            office.powers = sorted(set(item.get("powers", [])))
            office.seats = seats
            office.term_days = item.get("term_days", version.default_term_days)
            office.term_limit = item.get("term_limit", version.term_limit)
            office.method = item.get("method", default_method(seats))
            office.electorate_kind = electorate.get("kind", "members")
            office.electorate_branch = (
                branches.get(electorate.get("branch"))
                if office.electorate_kind == "branch"
                else None
            )
            office.electorate_body = (
                bodies.get(electorate.get("body")) if office.electorate_kind == "body" else None
            )
            office.abolished_at = None
            office.save()
            keep.add(office.key)
            if created:
                record(
                    organisation,
                    "office.created",
                    target=office,
                    data={"title": office.title, "powers": office.powers, "seats": seats},
                )
        abolished += [o for k, o in offices.items() if k not in keep and o.abolished_at is None]
    for key, body in existing.items():
        if key not in bodies and body.abolished_at is None:
            body.abolished_at = now
            body.save(update_fields=["abolished_at"])
            record(organisation, "body.abolished", target=body, data={"name": body.name})
            abolished += list(Office.objects.filter(body=body, abolished_at__isnull=True))
    reason = _t("The office was abolished by constitution version %(n)s.") % {"n": version.number}
    for office in abolished:
        office.abolished_at = now
        office.save(update_fields=["abolished_at"])
        record(organisation, "office.abolished", target=office, data={"title": office.title})
        for term in Term.objects.current(now).filter(office=office):
            term.ended_at, term.end_reason = now, reason
            term.save(update_fields=["ended_at", "end_reason"])
            record(organisation, "term.ended", target=term, data={"reason": reason})
        # Terms elected to begin later never begin.
        Term.objects.filter(office=office, starts_at__gt=now).update(
            ended_at=now, end_reason=reason
        )
    structure_changed.send(sender=version.__class__, version=version, abolished=abolished)
    return appeals
