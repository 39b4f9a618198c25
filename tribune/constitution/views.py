"""The constitution, current and every past version: public, so applicants can read it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.constitution import services as constitution_services
from tribune.constitution import structure as structures
from tribune.constitution.changes import compare
from tribune.constitution.forms import BodyForm, OfficeForm, RemoveForm
from tribune.constitution.models import ConstitutionVersion
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.offices.models import Office
from tribune.offices.powers import FACTION_POWERS, POWERS
from tribune.web.helpers import attempt, organisation_and_viewer


def constitution(request, slug, number=None):
    organisation, viewer = organisation_and_viewer(request, slug)
    versions = organisation.constitution_versions.order_by("-number")
    version = (
        get_object_or_404(ConstitutionVersion, organisation=organisation, number=number)
        if number
        else versions.first()
    )
    # Offices outside the structure: the provisional committee's, per-occasion ones.
    offices = list(
        Office.objects.filter(
            body__organisation=organisation,
            body__in_structure=False,
            body__faction__isnull=True,
            abolished_at__isnull=True,
        )
        .exclude(body__kind="returning")
        .select_related("body")
    )
    for office in offices:
        labels = FACTION_POWERS if office.body.faction_id else POWERS
        office.power_names = [str(labels.get(p, p)).lower() for p in office.powers]
    bodies = structures.read(version)
    return render(
        request,
        "constitution/constitution.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "version": version,
            "versions": versions,
            "offices": offices,
            "bodies": bodies,
            "amending_offices": [
                f"{o.title} ({o.body.name})" for o in offices if "call_elections" in o.powers
            ]
            + [
                f"{o.title} ({b.name})"
                for b in bodies
                for o in b.offices
                if "call_elections" in o.powers
            ],
        },
    )


def constitution_diff(request, slug, old, new):
    """Two versions side by side: the rules that changed, and the preamble's words."""
    organisation, viewer = organisation_and_viewer(request, slug)
    versions = ConstitutionVersion.objects.select_related("appeal_body")
    before = get_object_or_404(versions, organisation=organisation, number=old)
    after = get_object_or_404(versions, organisation=organisation, number=new)
    return render(
        request,
        "constitution/diff.html",
        {"organisation": organisation, "viewer": viewer, "comparison": compare(before, after)},
    )


# --- changing the structure ------------------------------------------------------------------


def _congresses(organisation, viewer) -> list:
    """Assemblies of the whole organisation still taking motions, for a member in good standing."""
    from django.utils import timezone

    from tribune.assemblies.models import Assembly

    if viewer is None or not viewer.in_good_standing:
        return []
    return list(
        Assembly.objects.filter(
            organisation=organisation,
            branch__parent__isnull=True,
            motions_deadline__gt=timezone.now(),
        )
        .exclude(status=Assembly.Status.CLOSED)
        .order_by("starts_at")
    )


def _structure_page(request, organisation, viewer, *, forms_=None, status=200):
    """The structure as it stands, and the forms the viewer may use to change it."""
    from tribune.elections.amendments import how_member_changes_structure

    version = organisation.current_constitution()
    how = how_member_changes_structure(viewer, organisation)
    congresses = _congresses(organisation, viewer)
    if how is None and congresses:
        how = "motion"  # any member may table a change at a congress
    forms_ = forms_ or {}
    context = {
        "organisation": organisation,
        "viewer": viewer,
        "version": version,
        "bodies": structures.read(version),
        "how": how,
        "problem": constitution_services.structure_problem(organisation),
        "provisional_end": constitution_services.provisional_period_end(organisation),
    }
    if how is not None:
        editing = _editing(request, version)
        context.update(
            body_form=forms_.get("body") or BodyForm(organisation=organisation, version=version),
            office_form=forms_.get("office")
            or OfficeForm(organisation=organisation, version=version, initial=editing),
            remove_form=forms_.get("remove"),
            editing=editing,
        )
    return render(request, "constitution/structure.html", context, status=status)


def _editing(request, version) -> dict:
    """The office named in ``?body=&office=``, as the office form's initial values."""
    body, key = request.GET.get("body", ""), request.GET.get("office", "")
    try:
        office = structures.find_office(version.structure, body, key)
    except (RuleViolation, TypeError):
        return {}
    electorate = office.get("electorate") or {"kind": "members"}
    kind = electorate.get("kind", "members")
    return {
        **office,
        "body": body,
        "electorate": f"{kind}:{electorate[kind]}" if kind in electorate else kind,
    }


def structure(request, slug):
    organisation, viewer = organisation_and_viewer(request, slug)
    return _structure_page(request, organisation, viewer)


def _propose(request, slug, form_class, name, change):
    """Make the change the form describes: provisionally, or as a referendum."""
    from tribune.elections.amendments import change_structure, how_member_changes_structure

    organisation, viewer = organisation_and_viewer(request, slug)
    congresses = _congresses(organisation, viewer)
    if how_member_changes_structure(viewer, organisation) is None and not congresses:
        raise NotPermitted(
            _t(
                "Only the provisional committee, or an office whose mandate includes calling "
                "votes, can propose a change to the structure, except as a motion to a congress."
            )
        )
    version = organisation.current_constitution()
    form = form_class(
        request.POST, organisation=organisation, version=version, congresses=congresses
    )
    if form.is_valid():
        try:
            new, summary = change(form, version, organisation)
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            if form.cleaned_data.get("assembly"):
                return _table_at_congress(request, form, viewer, congresses, new, summary)
            outcome = attempt(form, change_structure, viewer, organisation, new, summary=summary)
            if isinstance(outcome, ConstitutionVersion):
                messages.success(
                    request,
                    _t("Version %(n)s of the constitution records the change.")
                    % {"n": outcome.number},
                )
                return redirect("web:constitution_diff", slug, outcome.number - 1, outcome.number)
            if outcome is not None:
                messages.success(request, _t("The change is put to the members' vote."))
                return redirect(outcome)
    return _structure_page(request, organisation, viewer, forms_={name: form}, status=400)


def _table_at_congress(request, form, viewer, congresses, structure, summary):
    """The change as a motion to a congress: adopted if the congress carries it."""
    from tribune.assemblies.services import table_motion

    assembly = next(a for a in congresses if str(a.pk) == form.cleaned_data["assembly"])
    motion = attempt(
        form,
        table_motion,
        viewer,
        assembly,
        title=summary[:1].upper() + summary[1:],
        text=_t("The congress amends the constitution's structure: %(summary)s.")
        % {"summary": summary},
        constitution_change={"structure": structure},
    )
    if motion is None:
        return _structure_page(
            request, assembly.organisation, viewer, forms_={"office": form}, status=400
        )
    messages.success(request, _t("Your motion is tabled."))
    return redirect(assembly)


def _add_body(form, version, organisation):
    data = form.cleaned_data
    new, _key = structures.add_body(
        version.structure,
        name=data["name"],
        kind=data["kind"],
        branch=data["branch"],
        description=data["description"],
        taken=constitution_services.taken_keys(organisation),
    )
    return new, _t("add the body “%(name)s”") % {"name": data["name"]}


def _put_office(form, version, organisation):
    data = form.cleaned_data
    new, _key = structures.put_office(
        version.structure,
        version,
        data["body"],
        key=data["key"],
        title=data["title"],
        mandate=data["mandate"],
        powers=data["powers"],
        seats=data["seats"],
        term_days=data["term_days"],
        term_limit=data["term_limit"],
        electorate=form.electorate_value(),
        method=data["method"],
    )
    verb = _t("change the office “%(t)s”") if data["key"] else _t("add the office “%(t)s”")
    return new, verb % {"t": data["title"]}


def _remove(form, version, organisation):
    body, office = form.cleaned_data["body"], form.cleaned_data["office"]
    if office:
        title = structures.find_office(version.structure, body, office)["title"]
        return structures.remove_office(version.structure, body, office), _t(
            "abolish the office “%(t)s”"
        ) % {"t": title}
    name = structures.find_body(version.structure, body)["name"]
    return structures.remove_body(version.structure, body), _t("abolish the body “%(b)s”") % {
        "b": name
    }


@login_required
@require_POST
def structure_body(request, slug):
    return _propose(request, slug, BodyForm, "body", _add_body)


@login_required
@require_POST
def structure_office(request, slug):
    return _propose(request, slug, OfficeForm, "office", _put_office)


@login_required
@require_POST
def structure_remove(request, slug):
    return _propose(request, slug, RemoveForm, "remove", _remove)


@login_required
@require_POST
def structure_to_members(request, slug):
    """Ask the members to adopt the provisional committee's structure."""
    from tribune.elections.amendments import put_structure_to_members

    organisation, viewer = organisation_and_viewer(request, slug)
    if viewer is None:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    try:
        election = put_structure_to_members(viewer, organisation)
    except NotPermitted:
        raise
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("web:constitution_structure", slug)
    messages.success(request, _t("The structure is put to the members' vote."))
    return redirect(election)
