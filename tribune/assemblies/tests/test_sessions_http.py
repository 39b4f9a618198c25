"""The session and check-in over the API and on the pages: every refusal in words."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tribune.assemblies import services
from tribune.assemblies.models import Assembly, LiveVote, Participant
from tribune.assemblies.tests.test_api import (  # noqa: F401 - fixtures
    _convene_body,
    auth,
    convenor,
    get,
    post,
    reasons,
)

WEB = "/o/test-union/assemblies"


def _begin(pk: int) -> None:
    """The assembly's day: it began a minute ago; motions closed before."""
    now = timezone.now()
    Assembly.objects.filter(pk=pk).update(
        starts_at=now - timedelta(minutes=1), motions_deadline=now - timedelta(minutes=2)
    )


@pytest.fixture
def strict(world, convenor, auth) -> int:  # noqa: F811
    """A congress whose standing orders set a quorum of 60% (3 of the 5 members)."""
    response = post(
        "/assemblies", auth("ana"), _convene_body(world, proxies_allowed=True, quorum_percent=60)
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_the_session_and_attendance_over_the_api(world, strict, auth):  # noqa: F811
    base = f"/assemblies/{strict}"
    motion = post(f"{base}/motions", auth("ben"), {"title": "Rents", "text": "Freeze."}).json()
    response = post(f"{base}/attendance", auth("ben"), {"presence": "present"})
    assert response.status_code == 403
    assert reasons(response) == {"__all__": "Only participants of this assembly can do this."}
    post(f"{base}/participants", auth("eli"))
    seats = {p["name"]: p["id"] for p in get(f"{base}/participants", auth("eli")).json()}
    state = get(f"{base}/session").json()
    assert state["state"] == "planned" and state["current"] is None
    assert state["attendance"] == {
        "entitled": 5,
        "present": 0,
        "in_person": 0,
        "by_proxy": 0,
        "quorum": 3,
        "quorum_percent": "60",
        "quorate": False,
    }

    assert post(f"{base}/session/open").status_code == 401
    response = post(f"{base}/session/open", auth("ben"))
    assert response.status_code == 403
    assert reasons(response) == {"__all__": "Only the chair of this assembly can do this."}
    response = post(f"{base}/session/open", auth("eli"))  # two hours before it starts
    assert response.status_code == 400
    assert "it sits only within those dates" in reasons(response)["__all__"]
    _begin(strict)

    response = post(f"{base}/attendance", auth("ben"), {"presence": "maybe"})
    assert reasons(response) == {"presence": "Check in as present, absent or proxy."}
    response = post(f"{base}/attendance", auth("ben"), {"presence": "present", "participants": []})
    assert reasons(response) == {"participants": "Name the participants to check in."}
    body = {"presence": "present", "participants": [seats["Cam"]]}
    response = post(f"{base}/attendance", auth("ben"), body)
    assert reasons(response) == {"__all__": "Only the chair of this assembly can do this."}
    body = {"presence": "present", "participants": [999999]}
    response = post(f"{base}/attendance", auth("eli"), body)
    assert reasons(response) == {"participants": "No such participant at this assembly."}
    body = {"presence": "proxy", "holder": 999999}
    response = post(f"{base}/attendance", auth("cam"), body)
    assert reasons(response) == {"holder": "No such participant at this assembly."}
    response = post(f"{base}/attendance", auth("cam"), {"presence": "proxy"})
    assert reasons(response) == {"holder": "Name the participant who holds the vote."}
    assert Participant.objects.filter(present=True).count() == 0  # nothing half-written

    response = post(f"{base}/attendance", auth("ben"), {"presence": "present"})
    assert response.status_code == 200 and response.json()["attendance"]["present"] == 1
    body = {"presence": "proxy", "holder": seats["Ben"]}
    assert post(f"{base}/attendance", auth("cam"), body).json()["attendance"]["present"] == 2
    listed = {p["name"]: p["presence"] for p in get(f"{base}/participants", auth("eli")).json()}
    assert listed == {"Ana": "absent", "Dana": "absent", "Eli": "absent", "Ben": "present"} | {
        "Cam": "proxy"
    }
    opened = post(f"{base}/session/open", auth("eli")).json()
    assert opened["state"] == "in_session" and opened["current"]["number"] == 1
    assert get(base).json()["session"]["state"] == "in_session"

    response = post(f"{base}/votes", auth("eli"), {"motion_id": motion["id"]})
    assert reasons(response) == {"__all__": "No quorum: 2 of 5 present; quorum is 3."}
    body = {"motion_id": motion["id"], "supermajority": False}
    response = post(f"{base}/votes", auth("eli"), body)
    assert reasons(response) == {
        "supermajority": (
            "The majority comes from the constitution and the standing orders; "
            "the chair does not choose it."
        )
    }
    body = {"presence": "present", "participants": [seats["Ana"], seats["Dana"]]}
    assert post(f"{base}/attendance", auth("eli"), body).json()["attendance"]["quorate"]
    vote = post(f"{base}/votes", auth("eli"), {"motion_id": motion["id"]}).json()
    assert (vote["quorum"], vote["present"], vote["session"]) == (3, 4, 1)
    assert vote["outcome"] == "open" and vote["majority"] == "simple majority (more yes than no)"
    response = post(f"{base}/session/suspend", auth("eli"))
    assert reasons(response) == {"__all__": "Not while a vote is open."}
    response = post(f"{base}/votes/{vote['id']}/ballots", auth("eli"), {"choice": "yes"})
    assert reasons(response) == {
        "choice": "Check in as present first: only those in the hall vote."
    }
    post(f"{base}/votes/{vote['id']}/ballots", auth("ana"), {"choice": "yes"})  # 1 of 3
    closed = post(f"{base}/votes/{vote['id']}/close", auth("eli")).json()
    assert closed["outcome"] == "not quorate"
    assert closed["result"]["outcome"] == "not quorate" and not closed["result"]["carried"]
    assert get(f"{base}/motions/{motion['id']}").json()["status"] == "tabled"
    assert "**not quorate**" in get(f"{base}/minutes").content.decode()

    suspended = post(f"{base}/session/suspend", auth("eli")).json()
    assert suspended["state"] == "suspended" and suspended["current"] is None
    response = post(f"{base}/votes", auth("eli"), {"motion_id": motion["id"]})
    assert reasons(response) == {
        "__all__": "The session is suspended: no vote opens until the chair resumes it."
    }
    response = post(f"{base}/session/open", auth("eli"))
    assert reasons(response) == {"__all__": "The session is suspended: resume it."}
    resumed = post(f"{base}/session/resume", auth("eli")).json()
    assert resumed["state"] == "in_session" and [s["number"] for s in resumed["sittings"]] == [
        1,
        2,
    ]
    response = post(f"{base}/session/resume", auth("eli"))
    assert reasons(response) == {"__all__": "Only a suspended session can be resumed."}


def test_the_standing_orders_cannot_lower_the_quorum_over_the_api(world, convenor, auth):  # noqa: F811
    response = post("/assemblies", auth("ana"), _convene_body(world, quorum_percent=5))
    assert response.status_code == 400
    assert reasons(response) == {
        "quorum_percent": (
            "The standing orders may raise the quorum, not lower it below the constitution's 10%."
        )
    }
    response = post("/assemblies", auth("ana"), _convene_body(world, majority="none"))
    assert reasons(response) == {"majority": "Choose a majority for ordinary motions."}
    assert not Assembly.objects.exists()


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _client(world, short=None) -> Client:
    client = Client()
    if short:
        client.force_login(world.users[short])
    return client


def test_the_session_on_the_assembly_page_and_the_projector(world, strict):
    assembly = Assembly.objects.get(pk=strict)
    motion = services.table_motion(world.ben, assembly, title="Rents", text="Freeze.")
    page = f"{WEB}/{strict}/"
    eli, ben = _client(world, "eli"), _client(world, "ben")
    refused = ben.post(f"{page}attendance/", {"presence": "present"})
    assert refused.status_code == 403 and "Only participants" in _text(refused)
    services.seat_participants(world.eli, assembly)
    _begin(strict)
    assert "Decided by: simple majority (more yes than no)" in _text(eli.get(page))
    Assembly.objects.filter(pk=strict).update(motions_deadline=timezone.now() + timedelta(hours=1))
    tabled = ben.post(
        f"{page}motions/",
        {"title": "Recall at 15%", "text": "1. Recall at 15%.", "amends_constitution": "on"},
    )
    assert tabled.status_code == 302
    assert assembly.motions.get(title="Recall at 15%").amends_constitution
    assert "Decided by: 2/3 majority of the yes and no votes, as the constitution" in _text(
        ben.get(page)
    )
    _begin(strict)
    assert "Open the session" in _text(eli.get(page))
    assert "Open the session" not in _text(ben.get(page))
    assert ben.post(f"{page}chair/open-session/").status_code == 403

    assert "You are not checked in." in _text(ben.get(page))
    assert ben.post(f"{page}attendance/", {"presence": "present"}).status_code == 302
    assert "You are checked in as present." in _text(ben.get(page))
    seats = {p.member.name: p.pk for p in assembly.participants.select_related("member")}
    desk = eli.post(f"{page}attendance/", {"participants": [seats["Cam"]], "presence": "proxy"})
    assert desk.status_code == 400 and "Name the participant who holds the vote." in _text(desk)
    done = eli.post(
        f"{page}attendance/",
        {"participants": [seats["Cam"]], "presence": "proxy", "holder": seats["Ben"]},
    )
    assert done.status_code == 302
    assert eli.post(f"{page}chair/open-session/").status_code == 302
    panel = " ".join(_text(_client(world).get(f"{page}live/")).split())
    assert "In session · session 1" in panel
    assert 'id="attendance-present">2</strong> of 5 votes present; quorum is 3' in panel
    assert "not quorate" in panel

    opened = eli.post(f"{page}votes/open/", {"subject": f"m{motion.pk}"})
    assert opened.status_code == 400 and "No quorum: 2 of 5 present; quorum is 3." in _text(opened)
    assert not LiveVote.objects.exists()
    eli.post(
        f"{page}attendance/",
        {"participants": [seats["Ana"], seats["Eli"]], "presence": "present"},
    )
    assert eli.post(f"{page}votes/open/", {"subject": f"m{motion.pk}"}).status_code == 302
    vote = LiveVote.objects.get()
    assert "quorum 3 votes" in _text(ben.get(f"{page}live/"))
    eli.post(f"{page}votes/{vote.pk}/cast/", {"choice": "yes"})
    eli.post(f"{page}chair/close-vote/", {"vote": vote.pk})
    projector = _text(_client(world).get(f"{page}live/?view=projector"))
    assert "Not quorate" in projector and "simple majority" in projector
    assert "Not quorate" in _text(_client(world).get(page))
    assert "not quorate" in _text(_client(world).get(f"{page}minutes/"))
    vote.refresh_from_db()
    box = _text(_client(world).get(vote.election.get_absolute_url()))
    assert "Not quorate" in box and "Not carried" not in box  # the vote's own election page
    assert eli.post(f"{page}chair/suspend-session/").status_code == 302
    assert "Resume the session" in _text(eli.get(page))
    follow = eli.post(f"{page}chair/suspend-session/", follow=True)
    assert "The assembly is not in session." in _text(follow)
