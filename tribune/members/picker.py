"""Choosing a member on a form by searching, not from a list of every member.

An organisation of 100,000 members cannot send each of them as an ``<option>``.
A picker is a text box: typing a name asks the search page (``member_search``,
through htmx) for the first few eligible people, shown as choices under the box.
Without JavaScript the form still works: the typed name is looked up when the
form is sent; one match is taken, several come back as choices to pick from.

Who is eligible depends on the form (a nominee, a chair, a proxy holder…): each
form names a *pool*, registered here by the app that owns it, and both the search
page and the form's own check draw from that same pool, so the search never
offers anyone the form would refuse.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tribune.lib.inputs import MAX_ID
from tribune.members.models import Member, Standing
from tribune.members.rules import require_member_names
from tribune.web.helpers import organisation_and_viewer

SHOWN = 20  # choices offered per search
MAX_CHOSEN = 500  # people ticked at once on a picker of several


@dataclass(frozen=True)
class Pool:
    """The eligible objects of one picker, how to search them by name, how to label them."""

    queryset: QuerySet
    name_field: str = "name"  # "member__name" for participants
    label: Callable[[object], str] = lambda member: f"{member.name} ({member.home_branch.name})"

    def search(self, text: str) -> list:
        text = text.strip()
        if not text:
            return []
        found = self.queryset.filter(**{f"{self.name_field}__icontains": text})
        return list(found.order_by(self.name_field, "pk")[: SHOWN + 1])


# name -> function(organisation, viewer, params) -> Pool; params: the query string,
# read only through ``param_id`` (a pool for one election or assembly names its id).
POOLS: dict[str, Callable] = {}


def pool(name: str):
    def register(function):
        POOLS[name] = function
        return function

    return register


def good_members(organisation) -> Pool:
    """Members in good standing (a chair, a returning officer, a substitute)."""
    return Pool(
        Member.objects.filter(organisation=organisation, standing=Standing.GOOD).select_related(
            "home_branch"
        )
    )


@pool("good")
def _good_pool(organisation, viewer, params) -> Pool:
    return good_members(organisation)


def param_id(params, name: str) -> int:
    value = params.get(name, "")
    if not value.isascii() or not value.isdigit() or int(value) > MAX_ID:
        raise Http404
    return int(value)


@login_required
def member_search(request, slug: str) -> HttpResponse:
    """The first few people of a pool whose name contains the text typed (htmx fragment).

    Only members in good standing of the organisation see its members' names
    (``members.rules``): anyone else is refused, whatever the pool.
    """
    organisation, viewer = organisation_and_viewer(request, slug)
    require_member_names(viewer, organisation)
    make = POOLS.get(request.GET.get("pool", ""))
    field = request.GET.get("field", "")
    if make is None or not field.isidentifier() or len(field) > 50:
        raise Http404
    return search_response(request, make(organisation, viewer, request.GET), field)


def search_response(request, chosen_pool: Pool, field: str, multiple: bool = False) -> HttpResponse:
    """The choices fragment for the text typed in ``field``; a picker of several people
    also sends the people already ticked, shown first and still ticked."""
    text = request.GET.get(f"{field}_q", "")[:200]
    found = chosen_pool.search(text)
    ticked = []
    if multiple:
        ids = [int(v) for v in request.GET.getlist(field)[:MAX_CHOSEN] if _is_id(v)]
        ticked = list(chosen_pool.queryset.filter(pk__in=ids).order_by(chosen_pool.name_field))
        found = [obj for obj in found if obj.pk not in set(ids)]
    return render(
        request,
        "members/_picker_choices.html",
        {
            "name": field,
            "multiple": multiple,
            "ticked": [(obj.pk, chosen_pool.label(obj)) for obj in ticked],
            "choices": [(obj.pk, chosen_pool.label(obj)) for obj in found[:SHOWN]],
            "more": len(found) > SHOWN,
            "text": text.strip(),
        },
    )


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and int(value) <= MAX_ID


class PickerWidget(forms.Widget):
    template_name = "members/_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.search_url = ""
        self.choices: list = []  # offered after a search without JavaScript
        self.chosen_label = ""
        self.multiple = False
        self.ticked: list = []  # (pk, label) already chosen on a picker of several

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            ids = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
            return {"ids": list(ids), "text": data.get(f"{name}_q", "")}
        return {"id": data.get(name, ""), "text": data.get(f"{name}_q", "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text = value.get("text", "") if isinstance(value, dict) else ""
        context["widget"].update(
            {
                "search_url": self.search_url,
                "text": text,
                "choices": self.choices,
                "chosen_label": self.chosen_label,
                "multiple": self.multiple,
                "ticked": self.ticked,
            }
        )
        return context


class MemberPickerField(forms.Field):
    """A person of a pool, chosen by name: see the module's docstring."""

    widget = PickerWidget
    default_error_messages = {
        "none": _("No one who can be chosen here is called “%(text)s”."),
        "several": _("Several people are called “%(text)s”: choose one."),
        "invalid": _("Choose someone from the list."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("Type part of a name, then choose from the people found."))
        super().__init__(*args, **kwargs)
        self.pool: Pool | None = None

    def set_pool(
        self, chosen_pool: Pool, organisation, name: str, field: str, url: str = "", **params
    ) -> None:
        """Draw from ``chosen_pool`` (registered as ``name``; ``params`` rebuild it).

        ``url``: a search page of its own (one whose rule is narrower than
        ``member_search``'s), which reads ``params`` and ``field`` itself.
        """
        self.pool = chosen_pool
        if url:
            self.widget.search_url = f"{url}?{urlencode({'field': field, **params})}"
            return
        query = urlencode({"pool": name, "field": field, **params})
        url = reverse("web:member_search", args=[organisation.slug])
        self.widget.search_url = f"{url}?{query}"

    def clean(self, value):
        value = value if isinstance(value, dict) else {"id": value or "", "text": ""}
        chosen, text = str(value.get("id") or "").strip(), str(value.get("text") or "").strip()
        if chosen:
            if not chosen.isascii() or not chosen.isdigit() or int(chosen) > MAX_ID:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            obj = self.pool.queryset.filter(pk=int(chosen)).first()
            if obj is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            return obj
        if not text:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        found = self.pool.search(text[:200])
        exact = [obj for obj in found if _name(obj, self.pool).casefold() == text.casefold()]
        if len(found) == 1 or len(exact) == 1:
            return exact[0] if len(exact) == 1 else found[0]
        if not found:
            raise forms.ValidationError(
                self.error_messages["none"], code="none", params={"text": text}
            )
        self.widget.choices = [(obj.pk, self.pool.label(obj)) for obj in found[:SHOWN]]
        raise forms.ValidationError(
            self.error_messages["several"], code="several", params={"text": text}
        )


def _name(obj, chosen_pool: Pool) -> str:
    for part in chosen_pool.name_field.split("__"):
        obj = getattr(obj, part)
    return obj


class MembersPickerField(MemberPickerField):
    """Several people of a pool, ticked among those found by name (the check-in desk).

    Those already ticked stay ticked through each search (htmx sends them along)
    and through a form sent back with an error.
    """

    default_error_messages = {
        "several": _("Several people are called “%(text)s”: tick those you mean."),
        "invalid": _("Tick people from the list."),
    }

    def __init__(self, *args, **kwargs):
        tick = _("Type part of a name, then tick the people found; search again for more.")
        kwargs.setdefault("help_text", tick)
        super().__init__(*args, **kwargs)
        self.widget.multiple = True

    def clean(self, value):
        value = value if isinstance(value, dict) else {"ids": value or [], "text": ""}
        ids = [str(v).strip() for v in value.get("ids") or [] if str(v).strip()]
        text = str(value.get("text") or "").strip()
        if len(ids) > MAX_CHOSEN or not all(_is_id(v) for v in ids):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        wanted = {int(v) for v in ids}
        chosen = list(self.pool.queryset.filter(pk__in=wanted).order_by(self.pool.name_field))
        self.widget.ticked = [(obj.pk, self.pool.label(obj)) for obj in chosen]
        if len(chosen) != len(wanted):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if text:
            found = [obj for obj in self.pool.search(text[:200]) if obj.pk not in wanted]
            exact = [obj for obj in found if _name(obj, self.pool).casefold() == text.casefold()]
            if len(found) == 1 or len(exact) == 1:
                chosen.append(exact[0] if len(exact) == 1 else found[0])
            elif not found:
                raise forms.ValidationError(
                    self.error_messages["none"], code="none", params={"text": text}
                )
            else:
                self.widget.choices = [(obj.pk, self.pool.label(obj)) for obj in found[:SHOWN]]
                raise forms.ValidationError(
                    self.error_messages["several"], code="several", params={"text": text}
                )
        if not chosen and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return chosen
