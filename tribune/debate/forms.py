"""Forms for the debate pages: they check the shape of a request; the rules live in services."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tribune.debate.models import DebateRule
from tribune.debate.services import POST_MAX_CHARS
from tribune.elections.models import Election
from tribune.factions.models import Faction
from tribune.organisations.models import Branch

MARKDOWN_HELP = format_lazy(
    _(
        "Markdown: **bold**, *italic*, [links](https://…), lists and quotes. "
        "At most {most} characters."
    ),
    most=f"{POST_MAX_CHARS:,}",  # checked by the service, which words the refusal
)


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(
        label=_("Your opening post"), widget=forms.Textarea, help_text=MARKDOWN_HELP
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("The whole organisation"),
    )
    subject = forms.CharField(
        label=_("About (a motion, a programme section, a struggle…)"),
        max_length=200,
        required=False,
    )
    election = forms.ModelChoiceField(
        label=_("Linked election"), queryset=Election.objects.none(), required=False
    )
    faction = forms.ModelChoiceField(
        label=_("Faction-internal discussion"),
        queryset=Faction.objects.none(),
        required=False,
        empty_label=_("No: open to every member"),
        help_text=_("An internal discussion is visible only to the faction's members."),
    )

    def __init__(self, *args, organisation, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(organisation=organisation)
        self.fields["election"].queryset = Election.objects.filter(
            organisation=organisation
        ).order_by("-pk")
        factions = Faction.objects.filter(organisation=organisation, memberships__member=member)
        if factions.exists():
            self.fields["faction"].queryset = factions.distinct()
        else:
            del self.fields["faction"]


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply"), widget=forms.Textarea, help_text=MARKDOWN_HELP)


class RuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DebateRule) -> str:
        return _("Rule %(number)s: %(text)s") % {"number": obj.number, "text": obj.text}


class HideForm(forms.Form):
    rule = RuleChoiceField(label=_("Rule broken"), queryset=DebateRule.objects.none())
    reason = forms.CharField(
        label=_("Reason (shown in the thread)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Every member reads the reason, even when the rule withholds the post: "
            "never repeat the personal data in it."
        ),
    )

    def __init__(self, *args, organisation, rule_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = organisation.debate_rules.all()
        if rule_choices is not None:
            # The rules read once for a page of posts (each post has its form).
            self.fields["rule"].choices = rule_choices


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown in the thread)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Grounds of your appeal"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Uphold the appeal (restore the post)")), ("0", _("Dismiss"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))
