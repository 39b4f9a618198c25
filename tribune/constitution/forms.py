"""Forms for changing the structure: a body, an office, or taking one away."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.constitution import structure as structures
from tribune.lib.inputs import MAX_SEATS
from tribune.offices.powers import POWERS


def _bodies(version) -> list[tuple[str, str]]:
    return [(b["key"], b["name"]) for b in version.structure or []]


class CongressChoice(forms.Form):
    """Where the change goes when it is not set up or put to a referendum: a congress."""

    assembly = forms.ChoiceField(label=_("Or table it as a motion at"), required=False)

    def __init__(self, *args, congresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assembly"].choices = [("", _("— no, not as a motion —"))] + [
            (str(a.pk), a.title) for a in congresses
        ]
        if not congresses:
            del self.fields["assembly"]


class BodyForm(CongressChoice):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of body"), choices=list(structures.BODY_KINDS.items()))
    branch = forms.ChoiceField(label=_("Serves"), required=False)
    description = forms.CharField(
        label=_("What it is for (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, organisation, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", _("The whole organisation"))] + [
            (b.slug, b.name) for b in organisation.branches.exclude(parent=None).order_by("name")
        ]


class OfficeForm(CongressChoice):
    body = forms.ChoiceField(label=_("Body"))
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    mandate = forms.CharField(
        label=_("Mandate: what the holder is elected to do"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )
    powers = forms.MultipleChoiceField(
        label=_("Powers in Tribune"),
        choices=list(POWERS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=MAX_SEATS, initial=1)
    term_days = forms.IntegerField(label=_("Term (days)"), min_value=1, required=False)
    term_limit = forms.IntegerField(
        label=_("Term limit (consecutive terms)"), min_value=1, required=False
    )
    electorate = forms.ChoiceField(label=_("Elected by"))
    method = forms.ChoiceField(
        label=_("Counting method"),
        choices=[("", _("As usual: instant-runoff for one seat, STV for several"))]
        + list(structures.METHODS.items()),
        required=False,
    )

    def __init__(self, *args, organisation, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = _bodies(version)
        self.fields["term_days"].help_text = _("Left blank: %(n)s days; at most %(max)s.") % {
            "n": version.default_term_days,
            "max": version.max_term_days,
        }
        self.fields["term_limit"].help_text = _("Left blank: %(n)s, the constitution's limit.") % {
            "n": version.term_limit
        }
        self.fields["electorate"].choices = (
            [("members", _("The members of the body's branch"))]
            + [
                (f"branch:{b.slug}", _("The members of %(b)s") % {"b": b.name})
                for b in organisation.branches.exclude(parent=None).order_by("name")
            ]
            + [
                (f"body:{key}", _("The members of the %(b)s") % {"b": name})
                for key, name in _bodies(version)
            ]
            + [("congress", _("The congress, at its sitting"))]
        )

    def electorate_value(self) -> dict:
        kind, _sep, name = self.cleaned_data["electorate"].partition(":")
        return {"kind": kind, kind: name} if name else {"kind": kind}


class RemoveForm(CongressChoice):
    body = forms.ChoiceField(label=_("Body"))
    office = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organisation, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = _bodies(version)
