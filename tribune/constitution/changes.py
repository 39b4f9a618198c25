"""What changed between two versions of a constitution, said for people.

Each rule that differs is named by its label with its value before and after;
the preamble's words are compared in the rendered text (``lib.worddiff``).
Members judge an amendment by this page, so it lists every rule, including
ones added to the model later, without a hand-kept list.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _t

from tribune.constitution import structure
from tribune.constitution.models import ConstitutionVersion
from tribune.constitution.presets import BOOKKEEPING, COMPOUND
from tribune.lib.worddiff import changed, render_changes


@dataclass
class RuleChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class Comparison:
    old: ConstitutionVersion
    new: ConstitutionVersion
    rules: list[RuleChange]
    preamble_changed: bool
    preamble_html: str
    structure: list[structure.StructureChange]


def _shown(version: ConstitutionVersion, field) -> str:
    value = getattr(version, field.name)
    if field.choices:
        return str(getattr(version, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return _t("yes") if value else _t("no")
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def compare(old: ConstitutionVersion, new: ConstitutionVersion) -> Comparison:
    rules = []
    for field in ConstitutionVersion._meta.concrete_fields:
        if field.name in BOOKKEEPING | COMPOUND | {"preamble"}:
            continue
        before, after = _shown(old, field), _shown(new, field)
        if before != after:
            rules.append(RuleChange(field.name, str(field.verbose_name), before, after))
    if old.appeal_body_id != new.appeal_body_id:
        rules.append(
            RuleChange(
                "appeal_body",
                str(ConstitutionVersion._meta.get_field("appeal_body").verbose_name),
                old.appeal_body.name if old.appeal_body else "—",
                new.appeal_body.name if new.appeal_body else "—",
            )
        )
    return Comparison(
        old=old,
        new=new,
        rules=rules,
        preamble_changed=changed(old.preamble, new.preamble),
        preamble_html=render_changes(old.preamble, new.preamble),
        structure=structure.compare(old, new),
    )
