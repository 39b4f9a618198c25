"""The chair's desk picks participants by searching them, not from a list of everyone.

Attendance, substitutes and transfers choose among the assembly's participants:
their pickers search ``participant_search``, the chair's alone, and the page lists
no participant in their forms however many take part.
"""

import html

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tribune.assemblies import services
from tribune.assemblies.models import Assembly, Participant
from tribune.assemblies.tests.test_views import congress, convenor  # noqa: F401
from tribune.members.models import Member, Standing


def _page(congress) -> str:  # noqa: F811
    return f"/o/test-union/assemblies/{congress.pk}/"


def _search(client, congress, text, among="seated", field="participants", **more):  # noqa: F811
    params = {"among": among, "field": field, f"{field}_q": text, **more}
    if field == "participants":
        params["several"] = 1  # as the attendance picker asks
    return client.get(f"{_page(congress)}participants/search/", params)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _desk(page: str) -> str:
    return page.split('id="chair"')[1].split("</section>")[0]


def _grow(world, congress, n: int) -> None:  # noqa: F811
    have = congress.participants.count()
    made = Member.objects.bulk_create(
        Member(
            organisation=world.org,
            home_branch=world.north,
            name=f"Delegate {i:03}",
            standing=Standing.GOOD,
        )
        for i in range(have, n)
    )
    Participant.objects.bulk_create(Participant(assembly=congress, member=m) for m in made)


def test_the_desk_lists_no_participant_and_costs_the_same_for_5_and_50(world, congress, as_):  # noqa: F811
    services.seat_participants(world.eli, congress)
    eli = as_("eli")
    url = _page(congress)
    counts = []
    for n in (5, 50):
        _grow(world, congress, n)
        eli.get(url)  # warm
        with CaptureQueriesContext(connection) as captured:
            page = _text(eli.get(url))
        counts.append(len(captured))
        desk = _desk(page)
        assert "<option" not in desk.replace('<option value="present"', "").replace(
            '<option value="absent"', ""
        ).replace('<option value="proxy"', "")
        assert "Delegate 001" not in desk
        assert (
            f'hx-get="{url}participants/search/?field=participants&among=seated&several=1' in desk
        )
        assert 'hx-include="#attendance_participants_choices"' in desk
    assert counts[0] == counts[1], counts


def test_the_search_finds_only_this_assemblys_participants(world, congress, as_):  # noqa: F811
    services.seat_participants(world.eli, congress)
    Participant.objects.filter(assembly=congress, member=world.cam).delete()
    other = Assembly.objects.create(
        organisation=world.org,
        branch=world.root,
        title="Other",
        starts_at=congress.starts_at,
        ends_at=congress.ends_at,
        motions_deadline=congress.motions_deadline,
    )
    Participant.objects.create(assembly=other, member=world.cam)
    eli = as_("eli")
    found = _text(_search(eli, congress, "a"))  # Ana, Dana, Cam: Cam is not seated here
    ana = Participant.objects.get(assembly=congress, member=world.ana)
    assert f'type="checkbox" name="participants" value="{ana.pk}"' in found
    assert "Dana" in found and "Cam" not in found
    ben = Participant.objects.get(assembly=congress, member=world.ben)
    kept = _text(_search(eli, congress, "dan", participants=[ben.pk]))
    assert f'value="{ben.pk}" checked' in kept and "Dana" in kept  # Ben stays ticked
    one = _text(_search(eli, congress, "dan", field="holder"))
    assert 'type="radio" name="holder"' in one  # the proxy holder: one person
    assert "Dana" not in _text(_search(eli, congress, "a", among="substituted", field="delegate"))


def test_only_the_chair_searches_the_participants(world, congress, as_):  # noqa: F811
    services.seat_participants(world.eli, congress)
    assert _search(as_(), congress, "a").status_code == 302  # to log in
    for short in ("ben", "ana"):  # a participant; the convenor
        refused = _search(as_(short), congress, "a")
        assert refused.status_code == 403 and "Dana" not in _text(refused)
        assert "Only the chair of this assembly can do this." in _text(refused)


def test_bad_input_is_refused_in_words(world, congress, as_):  # noqa: F811
    services.seat_participants(world.eli, congress)
    eli = as_("eli")
    bad = _search(eli, congress, "a", among="everyone")
    assert bad.status_code == 400 and "Say which participants to search." in _text(bad)
    bad = _search(eli, congress, "a", field="no such")
    assert bad.status_code == 400 and "Say which field the choices are for." in _text(bad)
    url = f"{_page(congress)}attendance/"
    stranger = eli.post(url, {"participants": ["99999"], "presence": "present"})
    assert stranger.status_code == 400 and "Tick people from the list." in _text(stranger)
    nobody = eli.post(url, {"participants_q": "nobody", "presence": "present"})
    assert nobody.status_code == 400
    assert "No one who can be chosen here is called “nobody”." in _text(nobody)


def test_without_javascript_typed_names_join_the_ticked(world, congress, as_):  # noqa: F811
    services.seat_participants(world.eli, congress)
    seats = {p.member.name: p for p in congress.participants.select_related("member")}
    eli = as_("eli")
    url = f"{_page(congress)}attendance/"
    several = eli.post(
        url, {"participants": [seats["Ben"].pk], "participants_q": "a", "presence": "present"}
    )
    page = _text(several)
    assert several.status_code == 400
    assert "Several people are called “a”: tick those you mean." in page
    assert f'value="{seats["Ben"].pk}" checked' in page  # what was ticked stays ticked
    assert f'type="checkbox" name="participants" value="{seats["Dana"].pk}"' in page
    done = eli.post(
        url, {"participants": [seats["Ben"].pk], "participants_q": "dana", "presence": "present"}
    )
    assert done.status_code == 302
    present = set(congress.participants.filter(present=True).values_list("member__name", flat=True))
    assert present == {"Ben", "Dana"}


def test_the_transfer_picks_a_delegate_with_a_substitute_by_name(world, congress, as_):  # noqa: F811
    services.seat_participants(world.eli, congress)
    Participant.objects.filter(member=world.cam).delete()
    eli = as_("eli")
    seated = eli.post(f"{_page(congress)}substitute/", {"delegate_q": "Ben", "member_q": "Cam"})
    assert seated.status_code == 302
    no_substitute = eli.post(f"{_page(congress)}transfer/", {"delegate_q": "Dana"})
    assert no_substitute.status_code == 400
    done = eli.post(f"{_page(congress)}transfer/", {"delegate_q": "Ben", "to_substitute": "on"})
    assert done.status_code == 302
    assert not Participant.objects.get(assembly=congress, member=world.ben).voting
