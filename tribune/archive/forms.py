"""Forms for the archive pages: they check the shape of a request; the rules live in services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tribune.archive.models import Kind, Link, Visibility
from tribune.archive.services import PDF_MAX_BYTES

TEXT_HELP = _(
    "Markdown: **bold**, *italic*, [links](https://…), headings with #, lists and quotes. "
    "Or leave this empty and upload a PDF."
)


class TextForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        help_text=TEXT_HELP,
    )
    pdf = forms.FileField(
        label=_("…or a PDF file"),
        required=False,
        help_text=_("At most %(mb)s MB. Its words are found by search.")
        % {"mb": PDF_MAX_BYTES // (1024 * 1024)},
    )

    def pdf_bytes(self) -> tuple[bytes | None, str]:
        upload = self.cleaned_data.get("pdf")
        if not upload:
            return None, ""
        if upload.size > PDF_MAX_BYTES:
            return upload.read(PDF_MAX_BYTES + 1), upload.name  # the service refuses, with sizes
        return upload.read(), upload.name


class ProposeForm(TextForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    lessons_of = forms.CharField(
        label=_("Lessons of which struggle or campaign? (for lessons only)"),
        max_length=200,
        required=False,
        help_text=_(
            "What was tried, what worked, what failed: the way a union writes up a strike."
        ),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it once published"), choices=Visibility.choices
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    field_order = ["title", "kind", "lessons_of", "visibility", "language", "text", "pdf"]


class EditForm(TextForm):
    note = forms.CharField(label=_("What this version changes"), max_length=500, required=False)
    field_order = ["title", "note", "text", "pdf"]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("publish", _("Publish this version")), ("refuse", _("Refuse it"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (public)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Grounds of your appeal"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("The appeal body's decision"),
        choices=[("1", _("Uphold: publish the version")), ("0", _("Dismiss: the refusal stands"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons (public)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class TagsForm(forms.Form):
    tags = forms.CharField(label=_("Tags, separated by commas"), max_length=800, required=False)


class LinkForm(forms.Form):
    target = forms.ChoiceField(label=_("Refers to a"), choices=Link.Target.choices)
    ref = forms.CharField(label=_("Its number (or the programme section's key)"), max_length=60)
