"""Forms for the faction pages (shape only: every rule is in ``tribune.factions.services``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.factions.models import Visibility


class ProposeForm(forms.Form):
    name = forms.CharField(label=_("Name of the faction"), max_length=200)
    platform = forms.CharField(
        label=_("Platform (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("What the faction stands for. Later versions are kept, never overwritten."),
    )


class VisibilityForm(forms.Form):
    """Public or private membership; private is offered only where the constitution allows it."""

    visibility = forms.ChoiceField(
        label=_("Who may know you belong"), choices=Visibility.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, private_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not private_allowed:
            self.fields["visibility"].choices = [(Visibility.PUBLIC.value, Visibility.PUBLIC.label)]
            self.fields["visibility"].help_text = _(
                "This organisation's constitution makes faction membership public."
            )


class PlatformForm(forms.Form):
    text = forms.CharField(
        label=_("New version of the platform (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class StatementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Statement (Markdown)"), widget=forms.Textarea)


class EndorseForm(forms.Form):
    candidacy = forms.ModelChoiceField(label=_("Candidate"), queryset=None)

    def __init__(self, *args, candidacies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidacy"].queryset = candidacies
        self.fields["candidacy"].label_from_instance = lambda c: (
            _("%(name)s — %(election)s")
            % {
                "name": c.member.name,
                "election": c.election.title,
            }
        )


class DissolutionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the faction should dissolve (put to its members' vote)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
