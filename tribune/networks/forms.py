"""Forms of the networks pages (shape only: every rule is in the services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.networks.models import DecisionRule

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def decision_choices(organisation) -> list[tuple[str, str]]:
    """The decisions ``organisation`` may cite: its certified referendums that passed, the
    motions its congress carried, or the act of its delegate's mandate."""
    from tribune.assemblies.models import Motion
    from tribune.elections.models import Election, Kind, Status
    from tribune.networks.common import site
    from tribune.networks.models import Cited

    # A decision is cited once: those already cited are not offered again.
    used = set(
        Cited.objects.filter(organisation_uri=organisation.uri).values_list("uri", flat=True)
    )
    prefix = f"{site()}/id/%s/{organisation.uid}/"
    choices = [("mandate", _("By the mandate of our delegate office (this act decides)"))]
    referendums = Election.objects.filter(
        organisation=organisation,
        kind=Kind.REFERENDUM,
        status=Status.CERTIFIED,
        passed=True,
        faction__isnull=True,
        electorate__parent__isnull=True,
    ).order_by("-voting_close_at")[:30]
    for e in referendums:
        if prefix % "election" + str(e.pk) in used:
            continue
        choices.append((f"referendum:{e.pk}", _("Referendum: %(t)s") % {"t": e.title}))
    motions = Motion.objects.filter(
        assembly__organisation=organisation,
        assembly__branch__parent__isnull=True,
        status=Motion.Status.ADOPTED,
    ).order_by("-pk")[:30]
    for m in motions:
        if prefix % "motion" + str(m.pk) in used:
            continue
        choices.append((f"motion:{m.pk}", _("Congress motion: %(t)s") % {"t": m.title}))
    return choices


def split_decision(value: str) -> dict:
    kind, _sep, ref = (value or "").partition(":")
    return {"decision_kind": kind, "decision_ref": int(ref) if ref.isdigit() else None}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("The decision of ours this carries out"))

    def __init__(self, *args, organisation=None, choices=None, **kwargs):
        """``choices``: ``decision_choices(organisation)`` read once for a page of many forms."""
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = (
            choices if choices is not None else decision_choices(organisation)
        )


class EndorseForm(DecisionForm):
    """A member organisation's part in its network's joining or leaving another."""

    act = forms.ChoiceField(
        label=_("Our network should"),
        choices=[("join", _("join it")), ("leave", _("leave it"))],
    )
    parent = forms.SlugField(widget=forms.HiddenInput, max_length=50)
    field_order = ["act", "decision", "parent"]


class NetworkForm(DecisionForm):
    name = forms.CharField(label=_("Name of the network"), max_length=200)
    slug = forms.SlugField(label=_("Short name (for its address)"), max_length=50)
    purpose = forms.CharField(
        label=_("Its purpose"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    decision_rule = forms.ChoiceField(label=_("How it decides"), choices=DecisionRule.choices)
    field_order = ["name", "slug", "purpose", "decision_rule", "decision"]


class InviteForm(forms.Form):
    uri = forms.CharField(
        label=_("The organisation's (or network's) address"),
        max_length=500,
        help_text=_("Its address beginning https://, shown on its page."),
    )
    name = forms.CharField(
        label=_("Its name (if on another server)"), max_length=200, required=False
    )
    kind = forms.ChoiceField(
        label=_("It is"),
        choices=[("organisation", _("an organisation")), ("network", _("a network"))],
    )


class CoalitionForm(forms.Form):
    name = forms.CharField(label=_("Name of the coalition"), max_length=200)
    slug = forms.SlugField(label=_("Short name (for its address)"), max_length=50)
    demands = forms.CharField(
        label=_("Its demands, one a line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=6000,
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=DAY)
    purpose = forms.CharField(
        label=_("What it is for"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    network = forms.ChoiceField(label=_("Within the network"), required=False)

    def __init__(self, *args, networks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = [("", _("none"))] + list(networks)


class DecideForm(DecisionForm):
    state = forms.ChoiceField(
        label=_("Our step"),
        choices=[
            ("ratifying", _("We are deciding (put to our members)")),
            ("ratified", _("We ratify")),
            ("declined", _("We decline")),
            ("withdrawn", _("We withdraw")),
        ],
    )
    field_order = ["state", "decision"]

    def __init__(self, *args, demands=(), sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.demand_keys = []
        for demand in demands:
            name = f"link_{demand.key}"
            self.demand_keys.append((name, demand.key))
            self.fields[name] = forms.MultipleChoiceField(
                label=_("“%(d)s” is in our programme at") % {"d": demand.title},
                choices=list(sections),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def links(self) -> dict:
        return {
            key: self.cleaned_data.get(name) or []
            for name, key in self.demand_keys
            if self.cleaned_data.get(name)
        }


class RenewForm(forms.Form):
    ends_on = forms.DateField(label=_("New end date"), widget=DAY)


class ConcertForm(forms.Form):
    action = forms.CharField(label=_("We will…"), max_length=300)
    threshold = forms.IntegerField(
        label=_("…if this many commit, in all our organisations"), min_value=1, max_value=10**7
    )
    deadline = forms.DateTimeField(label=_("…by (UTC)"), widget=WHEN)
    details = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )


class ShareForm(forms.Form):
    item = forms.ChoiceField(label=_("Run this with it"))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = list(items)


class ShareDocumentForm(forms.Form):
    document = forms.ChoiceField(label=_("Share this document of our archive"))

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = list(documents)


class UnshareForm(ShareForm):
    item = forms.ChoiceField(label=_("Stop running this with it"))


class UnshareDocumentForm(ShareDocumentForm):
    document = forms.ChoiceField(label=_("Take this document off its list"))
