"""Forms for the assembly pages: they check the shape of a request; the rules live in services."""

from django import forms
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tribune.assemblies.models import AgendaItem, Amendment, Assembly, Motion
from tribune.assemblies.rules import desk_list
from tribune.members.picker import (
    MemberPickerField,
    MembersPickerField,
    Pool,
    good_members,
    param_id,
    pool,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

STANDING_ORDERS = [
    "speaking_minutes",
    "first_speakers_first",
    "alternate_lists",
    "secret_votes",
    "weighted_votes",
    "proxies_allowed",
    "branches_may_table",
    "factions_may_table",
    "delegate_seats",
    "apportionment",
    "quorum_percent",
    "majority",
]


class ConveneForm(forms.ModelForm):
    """Convene: dates, chair and standing orders (the service checks the dates and the power)."""

    branch = forms.ModelChoiceField(label=_("Unit (branch) that meets"), queryset=None)
    chair = MemberPickerField(label=_("Chair"))

    class Meta:
        model = Assembly
        fields = ["title", "kind", "starts_at", "ends_at", "motions_deadline", *STANDING_ORDERS]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "motions_deadline": DATETIME}
        labels = {"kind": _("Kind")}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = organisation.branches.all()
        self.fields["branch"].initial = organisation.root_branch
        self.fields["chair"].set_pool(good_members(organisation), organisation, "good", "chair")
        for name in ("starts_at", "ends_at", "motions_deadline"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["majority"].required = False  # left out: a simple majority
        self.order_fields(["title", "kind", "branch", "chair"])

    def standing_orders(self) -> dict:
        orders = {name: self.cleaned_data[name] for name in STANDING_ORDERS}
        orders["majority"] = orders["majority"] or "simple"
        return orders


class MotionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One demand or clause per line: amendments refer to these line numbers."),
    )
    agenda_item = forms.ModelChoiceField(
        label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False
    )
    programme_section = forms.ChoiceField(
        label=_("Programme section it rewrites (optional)"), required=False
    )
    on_behalf_of_branch = forms.ModelChoiceField(
        label=_("On behalf of a branch (optional)"), queryset=None, required=False
    )
    on_behalf_of_faction = forms.ModelChoiceField(
        label=_("On behalf of a faction (optional)"), queryset=None, required=False
    )
    amends_constitution = forms.BooleanField(
        label=_("This motion amends the constitution (it needs the constitution's majority)"),
        required=False,
    )

    def __init__(self, *args, assembly: Assembly, sections=(), member=None, **kwargs):
        from tribune.assemblies.rules import tabling_branches, tabling_factions

        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = assembly.agenda.all()
        self.fields["programme_section"].choices = [("", "—")] + [
            (s.key, s.title) for s in sections
        ]
        # Only what the tabler may act for; a choice they may not make is not offered.
        for name, allowed in (
            ("on_behalf_of_branch", tabling_branches(member, assembly)),
            ("on_behalf_of_faction", tabling_factions(member, assembly)),
        ):
            if allowed.exists():
                self.fields[name].queryset = allowed
            else:
                del self.fields[name]


class AmendmentForm(forms.Form):
    """A passage of the motion as tabled and what replaces it (the lines are worked out)."""

    passage = forms.CharField(
        label=_("The passage to replace"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Select it in the text above, or copy it exactly; "
            "to insert words, quote the words they follow and repeat them in the new text."
        ),
    )
    replacement = forms.CharField(
        label=_("Replace with"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Leave empty to delete the passage."),
        strip=False,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SpeakForm(forms.Form):
    point_of_order = forms.BooleanField(label=_("Point of order"), required=False)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=300)
    minutes = forms.IntegerField(label=_("Minutes allowed"), min_value=1, initial=30)
    report = forms.CharField(
        label=_("Report"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ItemForm(forms.Form):
    item = forms.ModelChoiceField(queryset=AgendaItem.objects.none())

    def __init__(self, *args, assembly: Assembly, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = assembly.agenda.all()


class OpenVoteForm(forms.Form):
    """Put one motion ("m<id>") or one amendment ("a<id>") to the vote."""

    subject = forms.ChoiceField(
        label=_("Put to the vote"),
        help_text=_(
            "The majority is the constitution's and the standing orders', not the chair's."
        ),
    )

    def __init__(self, *args, assembly: Assembly, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        # Only what is still tabled is offered (the service refuses anything else anyway).
        tabled = Amendment.objects.filter(status=Amendment.Status.TABLED)
        motions = assembly.motions.filter(status=Motion.Status.TABLED).prefetch_related(
            Prefetch("amendments", queryset=tabled)
        )
        for motion in motions:
            choices.append((f"m{motion.pk}", _("Motion: %(title)s") % {"title": motion.title}))
            for amendment in motion.amendments.all():
                choices.append((f"a{amendment.pk}", str(amendment)))
        self.fields["subject"].choices = choices

    def subject_objects(self, assembly: Assembly) -> dict:
        kind, pk = self.cleaned_data["subject"][0], int(self.cleaned_data["subject"][1:])
        if kind == "m":
            return {"motion": assembly.motions.get(pk=pk)}
        return {"amendment": Amendment.objects.get(motion__assembly=assembly, pk=pk)}


class BallotForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=[("yes", _("Yes")), ("no", _("No")), ("abstain", _("Abstain"))],
    )


class RankingForm(forms.Form):
    """Number the competing motions: 1 for the one to take first, 2 next, and so on.

    A motion left without a number is ranked below every numbered one. ``ranking``
    gives the motion ids in the order numbered; the service checks what is ranked.
    """

    def __init__(self, *args, options: list, **kwargs):
        super().__init__(*args, **kwargs)
        numbers = [("", "—")] + [(str(n), str(n)) for n in range(1, len(options) + 1)]
        for pk, title in options:
            self.fields[f"rank_{pk}"] = forms.ChoiceField(
                label=title, choices=numbers, required=False
            )

    def clean(self):
        data = super().clean()
        numbered = [(int(v), int(k[5:])) for k, v in data.items() if k.startswith("rank_") and v]
        if not numbered:
            raise forms.ValidationError(_("Number at least one motion."))
        if len({n for n, _pk in numbered}) != len(numbered):
            raise forms.ValidationError(_("Give each motion a different number."))
        data["ranking"] = [pk for _n, pk in sorted(numbered)]
        return data


def participants(assembly: Assembly, exclude=None) -> Pool:
    queryset = assembly.participants.select_related("member__home_branch")
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return Pool(
        queryset,
        name_field="member__name",
        label=lambda p: f"{p.member.name} ({p.member.home_branch.name})",
    )


def _assembly(organisation, params) -> Assembly:
    assembly = Assembly.objects.filter(
        organisation=organisation, pk=param_id(params, "assembly")
    ).first()
    if assembly is None:
        raise Http404
    return assembly


@pool("proxy")
def _proxy_pool(organisation, viewer, params) -> Pool:
    """Participants of the assembly but the viewer's own seat."""
    assembly = _assembly(organisation, params)
    own = assembly.participants.filter(member=viewer).first()
    return participants(assembly, exclude=own)


class ProxyForm(forms.Form):
    holder = MemberPickerField(label=_("Give my vote to"))

    def __init__(self, *args, assembly: Assembly, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].set_pool(
            participants(assembly, exclude),
            assembly.organisation,
            "proxy",
            "holder",
            assembly=assembly.pk,
        )


PRESENCE_CHOICES = [
    ("present", _("Present")),
    ("absent", _("Absent")),
    ("proxy", _("Represented by proxy")),
]


def desk_pool(participants) -> Pool:
    """Participants to pick from by name, labelled with their branch."""
    return Pool(
        participants,
        name_field="member__name",
        label=lambda p: f"{p.member.name} ({p.member.home_branch.name})",
    )


def _desk_picker(field, assembly: Assembly, name: str, among: str) -> None:
    """Draw a chair's picker from one of the desk's lists, searched through the chair's
    own search page (``participant_search``: the chair only)."""
    url = reverse("web:participant_search", args=[assembly.organisation.slug, assembly.pk])
    several = {"several": 1} if isinstance(field, MembersPickerField) else {}
    chosen_pool = desk_pool(desk_list(assembly, among))
    field.set_pool(chosen_pool, assembly.organisation, among, name, url=url, among=among, **several)


class AttendanceForm(forms.Form):
    """The chair records attendance (the desk at the door): who, and how they attend."""

    participants = MembersPickerField(label=_("Participants"))
    presence = forms.ChoiceField(label=_("Attendance"), choices=PRESENCE_CHOICES)
    holder = MemberPickerField(label=_("Proxy held by (for a proxy)"), required=False)

    def __init__(self, *args, assembly: Assembly, **kwargs):
        kwargs.setdefault("auto_id", "attendance_%s")  # ids unique on the page
        super().__init__(*args, **kwargs)
        _desk_picker(self.fields["participants"], assembly, "participants", "seated")
        _desk_picker(self.fields["holder"], assembly, "holder", "seated")


class CheckInForm(forms.Form):
    """A participant checks themselves in or out."""

    presence = forms.ChoiceField(choices=PRESENCE_CHOICES[:2])


class SubstituteForm(forms.Form):
    delegate = MemberPickerField(label=_("Delegate"))
    member = MemberPickerField(label=_("Substitute"))

    def __init__(self, *args, assembly: Assembly, **kwargs):
        kwargs.setdefault("auto_id", "substitute_%s")  # ids unique on the page
        super().__init__(*args, **kwargs)
        _desk_picker(self.fields["delegate"], assembly, "delegate", "delegates")
        self.fields["member"].set_pool(
            good_members(assembly.organisation), assembly.organisation, "good", "member"
        )


class TransferForm(forms.Form):
    delegate = MemberPickerField(label=_("Delegate"))
    to_substitute = forms.BooleanField(
        label=_("Hand the vote to the substitute (unticked: give it back)"), required=False
    )

    def __init__(self, *args, assembly: Assembly, **kwargs):
        kwargs.setdefault("auto_id", "transfer_%s")  # ids unique on the page
        super().__init__(*args, **kwargs)
        _desk_picker(self.fields["delegate"], assembly, "delegate", "substituted")


class VersionsForm(forms.Form):
    """Two programme versions to compare."""

    old = forms.IntegerField(min_value=1)
    new = forms.IntegerField(min_value=1)
