"""Forms for the education pages: they check a request's shape; the rules live in services."""

import re
from datetime import datetime, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from tribune.education.models import AttendanceState

READING = re.compile(r"^\s*(\d+)\s*v\s*(\d+)\s*$", re.IGNORECASE)


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("What it is about"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    core = forms.BooleanField(
        label=_("A core course (followed on the spread dashboard)"), required=False
    )
    completion_percent = forms.IntegerField(
        label=_("Share of the sessions to attend to complete it (%)"),
        min_value=1,
        max_value=100,
        initial=80,
    )
    sessions = forms.CharField(
        label=_("Sessions, one a line"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Each line: the session's title, then | and its readings as document number "
            "and version, e.g. “Why we organise | 12v2, 15v1”."
        ),
    )

    def clean_sessions(self) -> list[dict]:
        sessions = []
        for line in self.cleaned_data["sessions"].splitlines():
            if not line.strip():
                continue
            title, _bar, rest = line.partition("|")
            readings = []
            for part in filter(None, (p.strip() for p in rest.split(","))):
                found = READING.match(part)
                if not found:
                    raise forms.ValidationError(
                        _("Give readings as document number v version, e.g. 12v2.")
                    )
                readings.append([int(found[1]), int(found[2])])
            sessions.append({"title": title.strip(), "readings": readings})
        if not sessions:
            raise forms.ValidationError(_("Give at least one session."))
        return sessions


class CircleForm(forms.Form):
    name = forms.CharField(label=_("Name of the circle"), max_length=200)
    where = forms.ChoiceField(label=_("Where"), required=False)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    link = forms.URLField(
        label=_("Link for meeting online"), max_length=500, required=False, assume_scheme="https"
    )
    dates = forms.CharField(
        label=_("When each session starts, one a line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In the course's order, e.g. 2027-01-12 18:30 (the organisation's time)."),
    )
    minutes = forms.IntegerField(
        label=_("Length of a session (minutes)"), min_value=15, max_value=600, initial=120
    )

    def __init__(self, *args, branches=(), zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["where"].choices = [("", _("Online, across branches"))] + [
            (b.slug, b.name) for b in branches
        ]

    def clean(self):
        data = super().clean()
        starts = []
        for line in (data.get("dates") or "").splitlines():
            if not line.strip():
                continue
            try:
                moment = datetime.fromisoformat(line.strip().replace(" ", "T", 1))
            except ValueError:
                self.add_error("dates", _("Give each start as 2027-01-12 18:30."))
                return data
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.zone)
            starts.append(moment)
        length = timedelta(minutes=data.get("minutes") or 120)
        data["date_pairs"] = [[s, s + length] for s in starts]
        return data


class AttendanceForm(forms.Form):
    session = forms.IntegerField(min_value=1)
    member = forms.IntegerField(min_value=1)
    state = forms.ChoiceField(choices=AttendanceState.choices)


class SessionMoveForm(forms.Form):
    session = forms.IntegerField(min_value=1)
    starts_at = forms.DateTimeField(label=_("starts"))
    ends_at = forms.DateTimeField(label=_("ends"))


class SessionCancelForm(forms.Form):
    session = forms.IntegerField(min_value=1)
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)
