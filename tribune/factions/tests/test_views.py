"""The faction pages: who sees what, who may do what, and every refusal in words."""

import html
import json
from datetime import timedelta
from unittest import mock

from tribune.elections import services as elections
from tribune.elections.models import Election, Kind, Method
from tribune.factions import services
from tribune.factions.models import Faction, FactionStatus, Visibility
from tribune.members.services import export_data

ORG = "/o/test-union"
PAGE = f"{ORG}/factions/rent-control-now/"


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- the list and founding -----------------------------------------------------------------


def test_list_shows_registered_and_proposed_factions_with_their_signatures(world, faction, as_):
    services.propose_faction(world.ana, world.org, name="Federation Now", platform="Federate.")
    page = text(as_().get(f"{ORG}/factions/"))
    assert "Rent Control Now" in page and "4 members" in page
    assert "Federation Now" in page and "1 of 3 signatures" in page
    assert "Propose a faction" not in page  # anonymous: no proposing
    assert "Propose a faction" in text(as_("cam").get(f"{ORG}/factions/"))
    assert f'href="{ORG}/factions/"' in text(as_("cam").get(f"{ORG}/"))  # the nav link


def test_founding_by_signatures_through_the_pages(world, as_):
    assert as_().get(f"{ORG}/propose-faction/").status_code == 302  # log in first
    ben = as_("ben")
    response = ben.post(
        f"{ORG}/propose-faction/", {"name": "Renters First", "platform": "Repairs first."}
    )
    faction = Faction.objects.get(name="Renters First")
    assert response.status_code == 302 and response.url == faction.get_absolute_url()
    page = text(ben.get(faction.get_absolute_url()))
    assert "1 of 3 signatures" in page and "You have signed." in page
    again = ben.post(f"{ORG}/propose-faction/", {"name": "Renters First", "platform": "Other."})
    assert again.status_code == 400 and "A faction with this name exists." in text(again)
    empty = ben.post(f"{ORG}/propose-faction/", {"name": "X", "platform": "   "})
    assert empty.status_code == 400 and "This field is required." in text(empty)

    url = f"{faction.get_absolute_url()}sign/"
    assert "Sign the founding" in text(as_("cam").get(faction.get_absolute_url()))
    assert as_("cam").post(url).status_code == 302
    twice = as_("cam").post(url)
    assert twice.status_code == 400 and "You have already signed." in text(twice)
    response = as_("eli").post(url, follow=True)
    assert "the faction is registered" in text(response)
    faction.refresh_from_db()
    assert faction.status == FactionStatus.REGISTERED
    page = text(as_("eli").get(faction.get_absolute_url()))
    assert "Convenor" in page and "Ben" in page  # the provisional officer, with a link
    office = faction.bodies.get().offices.get()
    assert f"{ORG}/offices/{office.pk}/" in page
    office_page = text(as_("eli").get(f"{ORG}/offices/{office.pk}/"))
    assert "Convenor" in office_page and "Renters First officers" in office_page
    late = as_("ana").post(url)
    assert late.status_code == 400 and "not collecting founding signatures" in text(late)


# --- the privacy contract ------------------------------------------------------------------


def _members_section(page: str) -> str:
    return page.split('id="members"', 1)[1] if 'id="members"' in page else ""


def test_a_private_member_is_seen_only_by_themself_and_the_factions_officers(world, faction, as_):
    seen = {
        who: _members_section(text(as_(who).get(PAGE))) for who in ("ana", "cam", "dana", "ben")
    }
    assert "Ben" in seen["ana"] and "Dana" not in seen["ana"]  # an officer of the organisation
    assert "Dana" not in seen["cam"]  # a fellow (non-officer) member of the faction
    assert "Dana" in seen["dana"]  # the member herself
    assert "Dana" in seen["ben"] and "private" in seen["ben"]  # the faction's convenor
    anonymous = text(as_().get(PAGE))
    assert 'id="members"' not in anonymous and "Dana" not in anonymous
    assert "Rent control" in text(as_().get(PAGE)) or "rent control" in anonymous.lower()


def test_the_member_profile_shows_public_factions_only(world, faction, as_):
    dana = f"{ORG}/members/{world.dana.pk}/"
    for who in ("ana", "ben", "dana"):  # not even the convenor, not even herself: it is public
        assert "Rent Control Now" not in text(as_(who).get(dana)), who
    assert "Rent Control Now" in text(as_("ana").get(f"{ORG}/members/{world.ben.pk}/"))
    # Her own membership page does tell her.
    me = text(as_("dana").get(f"{ORG}/me/"))
    assert "Rent Control Now" in me and "Private" in me
    assert "Rent Control Now" not in text(as_("ana").get(f"{ORG}/me/"))


def test_a_members_export_holds_their_own_factions_and_no_one_elses(world, faction, as_):
    own = export_data(world.dana)
    assert own["factions"] == [
        {
            "faction": "Rent Control Now",
            "status": "registered",
            "visibility": "private",
            "joined_at": own["factions"][0]["joined_at"],
        }
    ]
    for other in (world.ben, world.ana, world.cam):
        assert "Dana" not in json.dumps(export_data(other))
    assert "Rent Control Now" not in json.dumps(export_data(world.ana))
    download = as_("dana").get(f"{ORG}/me/export/")
    assert json.loads(download.content)["factions"][0]["visibility"] == "private"


# --- membership ----------------------------------------------------------------------------


def test_join_privately_change_visibility_and_leave(world, faction, as_):
    ana = as_("ana")
    page = text(ana.get(PAGE))
    assert "Join the faction" in page and "Private: only the faction" in page
    response = ana.post(f"{PAGE}join/", {"visibility": "private"}, follow=True)
    assert "You have joined Rent Control Now." in text(response)
    assert "You belong to this faction privately" in text(response)
    assert faction.memberships.get(member=world.ana).visibility == Visibility.PRIVATE
    twice = ana.post(f"{PAGE}join/", {"visibility": "public"})
    assert twice.status_code == 400 and "You already belong to this faction." in text(twice)
    ana.post(f"{PAGE}visibility/", {"visibility": "public"})
    assert faction.memberships.get(member=world.ana).visibility == Visibility.PUBLIC
    bad = ana.post(f"{PAGE}visibility/", {"visibility": "secret"})
    assert bad.status_code == 400 and "Select a valid choice" in text(bad)
    assert ana.post(f"{PAGE}leave/").status_code == 302
    assert not faction.memberships.filter(member=world.ana).exists()
    gone = ana.post(f"{PAGE}leave/")
    assert gone.status_code == 400 and "You do not belong to this faction." in text(gone)
    assert as_().post(f"{PAGE}join/", {"visibility": "public"}).status_code == 302  # log in


def test_where_the_constitution_makes_membership_public_private_is_not_offered(world, faction, as_):
    from tribune.constitution.models import ConstitutionVersion

    ConstitutionVersion.objects.filter(organisation=world.org).update(
        private_faction_membership=False
    )
    page = text(as_("ana").get(PAGE))
    assert "Join the faction" in page and "Private: only" not in page
    assert "makes faction membership public" in page
    refused = as_("ana").post(f"{PAGE}join/", {"visibility": "private"})
    assert refused.status_code == 400 and "Select a valid choice" in text(refused)


def test_below_the_threshold_the_page_warns_with_the_lapse_date(world, faction, as_):
    for member in (world.cam, world.eli):
        services.leave_faction(member, faction)
    faction.refresh_from_db()
    lapses = faction.below_threshold_since + timedelta(days=90)
    page = text(as_().get(PAGE))
    assert "fewer members than the founding threshold (3)" in page
    assert f"lapses on {lapses:%-d %b %Y}" in page


# --- speaking for the faction --------------------------------------------------------------


def test_only_a_faction_officer_publishes_the_platform_and_every_version_stays(world, faction, as_):
    assert "Publish a new version" not in text(as_("cam").get(PAGE))
    refused = as_("cam").post(f"{PAGE}platform/", {"text": "Capture the line."})
    assert refused.status_code == 403 and "No current mandate of yours" in text(refused)
    ana = as_("ana").post(f"{PAGE}platform/", {"text": "Officers rewrite it."})
    assert ana.status_code == 403  # no officer of the organisation speaks for a faction
    ben = as_("ben")
    assert "Publish a new version" in text(ben.get(PAGE))
    empty = ben.post(f"{PAGE}platform/", {"text": ""})
    assert empty.status_code == 400 and "This field is required." in text(empty)
    response = ben.post(
        f"{PAGE}platform/", {"text": "## Rent control\n\nAnd repairs."}, follow=True
    )
    page = text(response)
    assert "Version 2 of the platform is published." in page
    assert "<h2>Rent control</h2>" in page and "version 2" in page
    first = text(as_().get(f"{PAGE}platform/v1/"))
    assert "legal cap on rents" in first and "And repairs" not in first
    assert "Version 2" in first and "What changed" not in first
    # The second version shows, word by word, what it changed from the first (rendered).
    second = text(as_().get(f"{PAGE}platform/v2/"))
    assert "What changed from version 1 to version 2" in second
    assert "repairs</ins>" in second and "<del>" in second and "@@" not in second
    assert as_().get(f"{PAGE}platform/v9/").status_code == 404


def test_statements_are_published_by_the_mandate_and_shown(world, faction, as_):
    refused = as_("dana").post(f"{PAGE}statement/", {"title": "T", "text": "X"})
    assert refused.status_code == 403
    response = as_("ben").post(
        f"{PAGE}statement/", {"title": "On the strike", "text": "We **back** it."}, follow=True
    )
    page = text(response)
    assert "The statement is published." in page
    assert "On the strike" in page and "<strong>back</strong>" in page and "Convenor" in page
    missing = as_("ben").post(f"{PAGE}statement/", {"title": "", "text": "X"})
    assert missing.status_code == 400 and "This field is required." in text(missing)


def test_endorsements_show_on_the_election_page_never_on_the_ballot(world, faction, office, as_):
    election = elections.call_election(world.ana, office=office)
    candidacy = elections.nominate(world.cam, election, world.cam)
    assert as_("cam").post(f"{PAGE}endorse/", {"candidacy": candidacy.pk}).status_code == 403
    response = as_("ben").post(f"{PAGE}endorse/", {"candidacy": candidacy.pk}, follow=True)
    assert "Rent Control Now endorses Cam." in text(response)
    again = as_("ben").post(f"{PAGE}endorse/", {"candidacy": candidacy.pk})
    assert again.status_code == 400 and "already endorses" in text(again)
    page = text(as_("ana").get(election.get_absolute_url()))
    assert "Endorsed by" in page and "Rent Control Now" in page
    elections.accept_nomination(world.cam, candidacy)
    elections.nominate(world.ben, election, world.ben)
    elections.accept_nomination(world.ben, election.candidacies.get(member=world.ben))
    election = elections.advance(election, election.voting_open_at)
    with mock.patch("django.utils.timezone.now", return_value=election.voting_open_at):
        page = text(as_("ana").get(election.get_absolute_url()))
    ballot = page.split('id="ballot"', 1)[1]
    assert "Endorsed by" in page.split('id="ballot"', 1)[0]
    assert "Rent Control Now" not in ballot and "Endorsed" not in ballot


def test_only_the_factions_members_propose_dissolution(world, faction, as_):
    assert "Propose dissolution" not in text(as_("ana").get(PAGE))
    refused = as_("ana").post(f"{PAGE}dissolve/", {"reason": "Officers want it gone."})
    assert refused.status_code == 403 and "own members" in text(refused)
    empty = as_("cam").post(f"{PAGE}dissolve/", {"reason": ""})
    assert empty.status_code == 400
    response = as_("cam").post(f"{PAGE}dissolve/", {"reason": "Our work is done."})
    election = Election.objects.get(kind=Kind.DISSOLUTION, faction=faction)
    assert response.status_code == 302 and response.url == election.get_absolute_url()
    assert "Dissolve Rent Control Now?" in text(as_("cam").get(response.url))


def test_proportionality_is_shown_after_a_multi_seat_count(world, office, as_):
    from tribune.members.services import admit_member, apply_for_membership

    office.seats = 2
    office.save()
    election = elections.call_election(world.ana, office=office, method=Method.SCOTTISH_STV)
    cands = {}
    for label, member in {"Left": world.ben, "Right": world.cam, "": world.eli}.items():
        c = elections.nominate(member, election, member)
        elections.accept_nomination(member, c, faction_label=label)
        cands[label] = c.pk
    voters = []
    for i in range(6):
        m = apply_for_membership(
            world.org, user=None, name=f"P{i}", email=f"p{i}@test.org", branch=world.north
        )
        admit_member(world.ana, m)
        voters.append(m)
    election = elections.advance(election, election.voting_open_at)
    url = election.get_absolute_url()
    with mock.patch(
        "django.utils.timezone.now", return_value=election.voting_open_at + timedelta(minutes=1)
    ):
        for i, voter in enumerate(voters):
            elections.cast_ballot(voter, election, [cands["Left" if i < 4 else "Right"]])
        assert "Proportionality" not in text(as_("ana").get(url))  # not before the count
    elections.advance(election, election.voting_close_at)
    page = text(as_().get(url))
    assert "Proportionality: seats by declared faction" in page
    table = page.split('class="proportionality"', 1)[1]
    assert "Left" in table and "66.7" in table and "50.0" in table
    assert "No declared faction" in table
