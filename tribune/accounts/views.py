"""Personal API tokens: create (secret shown once) and revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tribune.accounts.models import ApiToken
from tribune.lib.inputs import object_id


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the token"), max_length=100)


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST":
        if "revoke" in request.POST:
            get_object_or_404(
                ApiToken, user=request.user, pk=object_id(request.POST.get("revoke"))
            ).delete()
            messages.success(request, _t("The token is revoked."))
            return redirect("web:tokens")
        if form.is_valid():
            _token, secret = ApiToken.issue(request.user, form.cleaned_data["name"])
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "secret": secret, "tokens": request.user.api_tokens.all()},
    )
