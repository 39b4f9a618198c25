"""Forms for the election pages: they check the shape of a request; the rules live in services."""

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from tribune.elections.models import Election, Kind, Method
from tribune.members.models import Member, Standing
from tribune.members.picker import MemberPickerField, Pool, good_members, param_id, pool
from tribune.offices.models import BodyKind, Office
from tribune.organisations.models import Branch

# Constitution fields a members' vote may change from this form (whole numbers only;
# the service checks the proposed version against every guarantee).
AMENDABLE = {
    "default_term_days": _("Default term (days)"),
    "max_term_days": _("Maximum term (days)"),
    "term_limit": _("Consecutive terms allowed in one office"),
    "nomination_days": _("Nomination period (days)"),
    "voting_days": _("Voting period (days)"),
    "recall_vote_days": _("Recall vote period (days)"),
    "seconders_required": _("Seconders required for a candidacy"),
}
# Yes/no rules a members' vote may change from this form.
AMENDABLE_YES_NO = {
    "uncontested_returns": _(
        "Candidates not exceeding the seats are returned unopposed, without a vote"
    ),
}


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Office) -> str:
        return f"{obj.title} — {obj.body.name}"


class CallElectionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is put to the vote"),
        choices=[
            (Kind.OFFICE, _("Election to an office")),
            (Kind.REFERENDUM, _("Referendum (yes / no)")),
            (Kind.AMENDMENT, _("Constitutional amendment (yes / no)")),
        ],
        widget=forms.RadioSelect,
        initial=Kind.OFFICE,
    )
    office = OfficeChoiceField(
        label=_("Office to elect"), queryset=Office.objects.none(), required=False
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("For an office election, left blank: “Election: <office>”."),
    )
    question = forms.CharField(
        label=_("Question or description"), widget=forms.Textarea, required=False
    )
    seats = forms.IntegerField(
        label=_("Seats to fill"),
        min_value=1,
        required=False,
        help_text=_("Left blank: the office's number of seats."),
    )
    method = forms.ChoiceField(
        label=_("Counting method"),
        choices=[("", _("As usual: instant-runoff for one seat, STV for several"))]
        + [(m.value, m.label) for m in Method if m not in (Method.YES_NO, Method.SCHULZE)],
        required=False,
    )
    electorate = forms.ModelChoiceField(
        label=_("Who votes (referendums and amendments)"),
        queryset=Branch.objects.none(),
        required=False,
        help_text=_("Members in good standing of this branch and those below it."),
    )
    returning_officer = MemberPickerField(
        label=_("Returning officer (optional)"),
        required=False,
        help_text=_("Without one, the count is certified by rule when voting closes."),
    )
    starts_at = forms.DateTimeField(
        label=_("Opens at (optional)"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
        ),
        help_text=_("Nominations (or voting) open at this time; left blank: now."),
    )
    allow_vote_change = forms.BooleanField(
        label=_("Voters may change their vote until voting closes"), required=False, initial=True
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = (
            Office.objects.filter(body__organisation=organisation)
            .exclude(body__kind=BodyKind.RETURNING)
            .select_related("body")
        )
        self.fields["electorate"].queryset = organisation.branches.all()
        self.fields["electorate"].initial = organisation.root_branch
        self.fields["returning_officer"].set_pool(
            good_members(organisation), organisation, "good", "returning_officer"
        )
        for name, label in AMENDABLE.items():
            self.fields[f"amend_{name}"] = forms.IntegerField(
                label=label, min_value=0, required=False
            )
        for name, label in AMENDABLE_YES_NO.items():
            self.fields[f"amend_{name}"] = forms.TypedChoiceField(
                label=label,
                choices=[("", _("Unchanged")), ("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda value: value == "yes",
                empty_value=None,
                required=False,
            )

    def amendment_fields(self) -> list:
        return [self[f"amend_{name}"] for name in (*AMENDABLE, *AMENDABLE_YES_NO)]

    def other_fields(self) -> list:
        return [f for f in self if not f.name.startswith("amend_")]

    def amendment(self) -> dict | None:
        """The constitution fields this amendment would change (None if not an amendment)."""
        if self.cleaned_data.get("kind") != Kind.AMENDMENT:
            return None
        return {
            name: self.cleaned_data[f"amend_{name}"]
            for name in (*AMENDABLE, *AMENDABLE_YES_NO)
            if self.cleaned_data.get(f"amend_{name}") is not None
        }


def nominees(election) -> Pool:
    """Whom the nominate form offers: admitted members (the service refuses with its reason)."""
    return Pool(
        Member.objects.filter(organisation=election.organisation)
        .filter(standing__in=[Standing.GOOD, Standing.LAPSED, Standing.SUSPENDED])
        .select_related("home_branch")
    )


@pool("nominee")
def _nominee_pool(organisation, viewer, params) -> Pool:
    election = Election.objects.filter(
        organisation=organisation, pk=param_id(params, "election")
    ).first()
    if election is None:
        raise Http404
    return nominees(election)


class NominateForm(forms.Form):
    member = MemberPickerField(label=_("Member to nominate (you may nominate yourself)"))
    statement = forms.CharField(
        label=_("Your statement, if you nominate yourself (optional)"),
        widget=forms.Textarea,
        required=False,
    )

    def __init__(self, *args, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].set_pool(
            nominees(election), election.organisation, "nominee", "member", election=election.pk
        )


class AcceptForm(forms.Form):
    statement = forms.CharField(label=_("Your statement"), widget=forms.Textarea, required=False)
    faction_label = forms.CharField(
        label=_("Faction affiliation (optional)"), max_length=200, required=False
    )


class RankedBallotForm(forms.Form):
    """One rank select per candidate; cleaned into the ordered list of candidacy ids."""

    def __init__(self, *args, candidates: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        ranks = [("", _("not ranked"))] + [(str(i), str(i)) for i in range(1, len(candidates) + 1)]
        for cid, name in candidates.items():
            self.fields[f"rank_{cid}"] = forms.TypedChoiceField(
                label=name, choices=ranks, coerce=int, empty_value=None, required=False
            )
        self.candidate_ids = list(candidates)

    def clean(self):
        data = super().clean()
        given = {
            cid: data[f"rank_{cid}"]
            for cid in self.candidate_ids
            if data.get(f"rank_{cid}") is not None
        }
        if len(set(given.values())) != len(given):
            raise forms.ValidationError(_("Give each rank to one candidate only."))
        data["choice"] = sorted(given, key=given.get)
        return data


class YesNoBallotForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=[("yes", _("Yes")), ("no", _("No")), ("abstain", _("Abstain"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Vote yes, no or abstain.")},
    )


class BallotKeyForm(forms.Form):
    key = forms.CharField(
        label=_("Ballot key from your receipt (only to change a vote from another browser)"),
        required=False,
        max_length=100,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea,
        error_messages={"required": _("A written reason is required.")},
    )


class TrackerForm(forms.Form):
    tracker = forms.CharField(label=_("Your ballot tracker"), max_length=64, min_length=1)


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the holder should be recalled"),
        widget=forms.Textarea,
        error_messages={"required": _("Give the reason for the recall.")},
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply to the petition"), widget=forms.Textarea)


class ReportForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    done = forms.CharField(label=_("What was done"), widget=forms.Textarea)
    not_done = forms.CharField(
        label=_("What was not done, and why"), widget=forms.Textarea, required=False
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea,
        error_messages={"required": _("Write a comment.")},
    )
