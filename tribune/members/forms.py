"""Forms for the membership pages (validation of shape; rules live in services)."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from tribune.organisations.models import Branch


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.level})"


class JoinForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"))
    branch = BranchChoiceField(label=_("Branch you want to join"), queryset=Branch.objects.none())
    statement = forms.CharField(
        label=_("Why do you want to join? (optional)"), widget=forms.Textarea, required=False
    )
    password1 = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)

    def __init__(self, *args, organisation, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = organisation.branches.all()
        self.user = user
        if user is not None and user.is_authenticated:
            for name in ("email", "password1", "password2"):
                del self.fields[name]

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email exists: log in first, then apply.")
            )
        return email

    def clean(self):
        data = super().clean()
        if "password1" in self.fields and data.get("password1"):
            if data.get("password1") != data.get("password2"):
                self.add_error("password2", _("The two passwords differ."))
            else:
                try:
                    validate_password(data["password1"])
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the member)"),
        widget=forms.Textarea,
        error_messages={"required": _("A written reason is required.")},
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea, required=False)
    branch = BranchChoiceField(label=_("Home branch"), queryset=Branch.objects.none())

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = organisation.branches.all()


class AppealForm(forms.Form):
    statement = forms.CharField(label=_("Grounds of your appeal"), widget=forms.Textarea)


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Uphold the appeal (reverse the decision)")), ("0", _("Dismiss"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand this cannot be undone"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file (columns: name, email, branch; optional phone, address)")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file must be UTF-8 text.")) from None
