"""Forms for the struggle pages (shape only: every rule is in ``tribune.struggles.services``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.struggles.models import (
    EventKind,
    SecondKey,
    SignupState,
    SolidarityKind,
    StruggleStatus,
    Visibility,
)

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StruggleForm(forms.Form):
    title = forms.CharField(label=_("Name of the struggle"), max_length=200)
    summary = forms.CharField(
        label=_("What it is about (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
    )
    branch = forms.ChoiceField(label=_("Run by"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=StruggleStatus.choices)
    visibility = forms.ChoiceField(label=_("Who may see it"), choices=Visibility.choices)
    programme = forms.MultipleChoiceField(
        label=_("Demands of the programme it fights for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, branches=(), sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", _("the whole organisation"))] + list(branches)
        self.fields["programme"].choices = list(sections)


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("News for the timeline (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )
    visibility = forms.ChoiceField(label=_("Who may see it"), choices=Visibility.choices)
    status = forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[("", _("unchanged"))] + list(StruggleStatus.choices),
    )
    lessons_link = forms.CharField(
        label=_("Link to its lessons in the archive"), required=False, max_length=500
    )


class PledgeForm(forms.Form):
    action = forms.CharField(label=_("We will…"), max_length=300)
    threshold = forms.IntegerField(label=_("…if this many commit"), min_value=1, max_value=10**7)
    deadline = forms.DateTimeField(label=_("…by (UTC)"), widget=WHEN)
    unit = forms.CharField(
        label=_("Where (a workplace, a building)"), required=False, max_length=200
    )
    details = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20000,
    )
    follow_up_days = forms.IntegerField(
        label=_("Ask 'did you act?' this many days after"),
        required=False,
        min_value=1,
        max_value=365,
    )
    units = forms.CharField(
        label=_("Units with their own targets (optional): one a line, name = how many"),
        help_text=_("e.g. “Block A = 12”. The pledge is reached only when every unit is."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20000,
    )
    second_key = forms.ChoiceField(
        label=_("Second key: once the number is reached, who gives the go?"),
        choices=SecondKey.choices,
        required=False,
    )
    decider = forms.ChoiceField(label=_("The body that decides"), required=False)
    decide_hours = forms.IntegerField(
        label=_("Hours to decide (without a go by then, it is off)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
    )

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decider"].choices = [("", "—")] + list(bodies)

    def clean_units(self) -> list[dict] | None:
        """``Name = target`` lines into units (the service checks names and targets)."""
        rows = []
        for line in self.cleaned_data["units"].splitlines():
            if not line.strip():
                continue
            name, sep, target = line.rpartition("=")
            if not sep or not target.strip().isdigit():
                raise forms.ValidationError(_("Write each unit as: name = how many."))
            rows.append({"name": name.strip(), "target": int(target.strip())})
        return rows or None


class OwnerChoice:
    """For what is planned outside any struggle (``Owned*Form``): its ``branch`` field offers
    the whole organisation (when the viewer's mandate reaches it) and the ``branches`` given."""

    def __init__(self, *args, branches=(), whole=True, **kwargs):
        super().__init__(*args, **kwargs)
        first = [("", _("the whole organisation"))] if whole else []
        self.fields["branch"].choices = first + list(branches)
        self.order_fields(["branch"])


class OwnedPledgeForm(OwnerChoice, PledgeForm):
    """A pledge outside any struggle: the organisation's, or a branch's."""

    branch = forms.ChoiceField(label=_("Whose pledge"), required=False)


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    starts_at = forms.DateTimeField(label=_("Starts (in the time zone below)"), widget=WHEN)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=WHEN)
    time_zone = forms.CharField(label=_("Time zone"), initial="Europe/London", max_length=64)
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    link = forms.CharField(label=_("Link (for online events)"), required=False, max_length=500)
    capacity = forms.IntegerField(
        label=_("Places (empty: no limit)"), required=False, min_value=1, max_value=10**6
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OwnedEventForm(OwnerChoice, EventForm):
    """An event outside any struggle: the organisation's, or a branch's."""

    branch = forms.ChoiceField(label=_("Whose event"), required=False)
    visibility = forms.ChoiceField(label=_("Who may see it"), choices=Visibility.choices)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("What needs doing"), max_length=200)
    min_people = forms.IntegerField(
        label=_("At least this many people"), min_value=1, max_value=100_000, initial=1
    )
    max_people = forms.IntegerField(
        label=_("At most (empty: no limit)"), required=False, min_value=1, max_value=100_000
    )
    starts_at = forms.DateTimeField(
        label=_("A shift starts (UTC; empty for a task)"), widget=WHEN, required=False
    )
    ends_at = forms.DateTimeField(label=_("…and ends (UTC)"), widget=WHEN, required=False)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OwnedTaskForm(OwnerChoice, TaskForm):
    branch = forms.ChoiceField(label=_("Whose task"), required=False)
    visibility = forms.ChoiceField(label=_("Who may see it"), choices=Visibility.choices)


class EventChangeForm(EventForm):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    kind = None


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (told to everyone signed up)"), required=False, max_length=300
    )


class RemindForm(forms.Form):
    message = forms.CharField(label=_("Message"), required=False, max_length=300)


class AttendanceForm(forms.Form):
    member_id = forms.IntegerField(min_value=1, max_value=10**18)
    state = forms.ChoiceField(choices=SignupState.choices)


class SolidarityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of help"), choices=SolidarityKind.choices)
    title = forms.CharField(label=_("What we ask"), max_length=200)
    quantity = forms.IntegerField(
        label=_("How many (people, pounds, statements)"), min_value=1, max_value=10**9
    )
    on_date = forms.DateField(
        label=_("On (for people)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateTimeField(label=_("Answer by (UTC)"), widget=WHEN)
    branches = forms.MultipleChoiceField(
        label=_("Branches asked"), required=False, widget=forms.CheckboxSelectMultiple
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branches"].choices = list(branches)


class RespondForm(forms.Form):
    branch = forms.ChoiceField(label=_("Answering for"))
    amount = forms.IntegerField(
        label=_("We commit (people, pounds, statements)"), min_value=1, max_value=10**9
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = list(branches)
