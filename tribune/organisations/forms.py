"""Forms of the founding pages: what people type, before the founding rules judge it."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tribune.constitution.models import ConstitutionVersion
from tribune.constitution.presets import PRESETS, editable_fields


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class FoundForm(forms.Form):
    """Founding an organisation: who, what it is called, its first constitution and branches."""

    name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name (used in its web address)"),
        max_length=50,
        help_text=_("Lower-case letters, digits and hyphens, e.g. riverside-tenants."),
    )
    description = forms.CharField(
        label=_("What it is for"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    founder_name = forms.CharField(label=_("Your name, as members will see it"), max_length=200)
    language = forms.ChoiceField(
        label=_("Language of its pages"),
        choices=[("", _("Each member's own, else their browser's")), *settings.LANGUAGES],
        required=False,
        help_text=_("Members who chose a language keep theirs."),
    )
    preset = forms.ChoiceField(
        label=_("Constitution template"), choices=(), widget=forms.HiddenInput
    )
    branches = forms.CharField(
        label=_("First branches (one per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    committee = forms.CharField(
        label=_("Co-founders to invite to the provisional committee (one email per line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    appeals = forms.CharField(
        label=_("Co-founders to invite to the provisional appeals committee (one email per line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Appeals against refused applications and suspensions go to them."),
    )

    def __init__(self, *args, preset: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [(p.slug, p.name) for p in PRESETS.values()]
        self.fields["preset"].initial = preset
        values = PRESETS[preset].values
        rules = forms.fields_for_model(ConstitutionVersion, fields=editable_fields())
        for name, field in rules.items():
            field.initial = values.get(name, field.initial)
            self.fields[f"c_{name}"] = field

    def constitution_fields(self):
        return [self[name] for name in self.fields if name.startswith("c_")]

    def basic_fields(self):
        return [self[name] for name in self.fields if not name.startswith("c_")]

    def founding_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "slug": data["slug"],
            "description": data["description"],
            "language": data["language"],
            "founder_name": data["founder_name"],
            "preset": data["preset"],
            "branches": _lines(data["branches"]),
            "committee": _lines(data["committee"]),
            "appeals": _lines(data["appeals"]),
            "constitution": {
                name[2:]: value
                for name, value in data.items()
                if name.startswith("c_") and value is not None
            },
        }


class AcceptForm(forms.Form):
    name = forms.CharField(label=_("Your name, as members will see it"), max_length=200)
