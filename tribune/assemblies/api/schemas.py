"""The API's request and response bodies for assemblies and the programme.

Apart from the endpoints so that both they and ``api_sessions`` read one set;
the OpenAPI document names each by its class name.
"""

from datetime import datetime
from decimal import Decimal

from ninja import Schema


class StandingOrders(Schema):
    speaking_minutes: int = 3
    first_speakers_first: bool = True
    alternate_lists: bool = False
    secret_votes: bool = False
    weighted_votes: bool = False
    proxies_allowed: bool = False
    branches_may_table: bool = True
    factions_may_table: bool = True
    delegate_seats: int = 0
    apportionment: str = "sainte-lague"
    # Stricter than the constitution, or null: the constitution's quorum applies.
    quorum_percent: Decimal | None = None
    majority: str = "simple"  # for ordinary motions: simple, absolute or two-thirds


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    minutes: int
    report: str
    status: str


class DelegationOut(Schema):
    branch: str
    name: str
    members: int
    seats: int


class AssemblySummary(Schema):
    id: int
    title: str
    kind: str
    status: str
    branch: str
    starts_at: datetime
    ends_at: datetime
    motions_deadline: datetime


class AttendanceOut(Schema):
    entitled: int
    present: int
    in_person: int
    by_proxy: int
    quorum: int
    quorum_percent: str
    quorate: bool


class SittingOut(Schema):
    number: int
    opened_at: datetime
    opened_by: str
    ended_at: datetime | None
    ended_how: str
    attendance_at_open: dict
    attendance_at_end: dict | None


class SessionOut(Schema):
    state: str  # planned, in_session, suspended or closed
    current: SittingOut | None
    attendance: AttendanceOut
    sittings: list[SittingOut]


class AssemblyOut(AssemblySummary):
    chair_office_id: int | None
    chair: str | None
    standing_orders: StandingOrders
    agenda: list[AgendaItemOut]
    current_item: AgendaItemOut | None
    participants: int
    delegations: list[DelegationOut]
    open_vote_id: int | None
    events_url: str
    session: SessionOut


class ConveneIn(StandingOrders):
    branch: str | None = None
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    motions_deadline: datetime
    chair_id: int


class SeatedOut(Schema):
    seated: int
    participants: int


class ParticipantOut(Schema):
    id: int
    member_id: int
    name: str
    delegation: str | None
    weight: int
    group: str
    voting: bool
    substitute_for: int | None
    proxy_holder: int | None
    presence: str  # present, absent or proxy


class CalledOut(Schema):
    elections: list[int]


class AgendaIn(Schema):
    title: str
    minutes: int = 30
    report: str = ""


class MotionSummary(Schema):
    id: int
    title: str
    status: str
    agenda_item_id: int | None
    tabled_by: str | None  # None for a reader who may not see members' names
    on_behalf_of_branch: str | None
    on_behalf_of_faction: str | None
    programme_section: str
    amends_constitution: bool
    constitution_change: dict | None
    tabled_at: datetime


class VersionOut(Schema):
    number: int
    text: str
    note: str
    created_at: datetime
    diff: str


class AmendmentOut(Schema):
    id: int
    label: str
    tabled_by: str | None  # None for a reader who may not see members' names
    start: int
    end: int
    replaces: str  # the lines of the motion as tabled that new_text takes the place of
    new_text: str
    reason: str
    status: str
    conflict: bool


class MotionOut(MotionSummary):
    versions: list[VersionOut]
    consolidated_text: str | None
    consolidation_clash: str
    amendments: list[AmendmentOut]
    conflicts: list[list[str]]


class MotionIn(Schema):
    title: str
    text: str
    agenda_item_id: int | None = None
    branch: str | None = None
    faction: str | None = None
    programme_section: str = ""
    amends_constitution: bool = False
    # What the motion changes in the constitution's rules or structure, if anything
    # (the fields of a constitution version; "structure" as the constitution API shows it).
    constitution_change: dict | None = None


class AmendmentIn(Schema):
    """Either a passage of the motion as tabled and its replacement (what members do),
    or a line range and its new lines (start = end + 1 inserts after end)."""

    passage: str | None = None
    replacement: str = ""
    start: int | None = None
    end: int | None = None
    new_text: str = ""
    reason: str = ""


class SpeakIn(Schema):
    point_of_order: bool = False


class SpeakerOut(Schema):
    id: int
    participant_id: int
    name: str | None  # None for a reader who may not see members' names
    group: str
    point_of_order: bool
    status: str
    requested_at: datetime
    started_at: datetime | None


class SpeakersOut(Schema):
    speaking: SpeakerOut | None
    waiting: list[SpeakerOut]
    speaking_seconds: int


class ProxyIn(Schema):
    # Named as the domain names its refusals: the holder's participant id.
    holder: int


class ProxyOut(Schema):
    giver_id: int
    holder_id: int
    holder: str


class SubstituteIn(Schema):
    # Named as the domain names its refusals: the substitute's member id.
    member: int


class TransferIn(Schema):
    to_substitute: bool = True


class VoteIn(Schema):
    motion_id: int | None = None
    amendment_id: int | None = None
    # Refused when given: the majority comes from the rules (kept so old clients hear why).
    supermajority: bool | None = None


class CastIn(Schema):
    # Any string: the domain says what a valid choice is and names "choice" when it is not.
    choice: str


class CastOut(Schema):
    ballots: int


class RankingIn(Schema):
    # Motion ids, first preference first; a full or partial ranking of the competing motions.
    ranking: list[int]


class MotionRef(Schema):
    id: int
    title: str


class RankingOut(Schema):
    order: list[MotionRef]
    ballots: int
    method: str
    # By motion id: ballots ranking the row's motion above the column's, and the strongest
    # (Schulze, winning votes) path strengths; ties broken by the seeded lot.
    pairwise: dict[str, dict[str, int]]
    strongest_paths: dict[str, dict[str, int]]
    ties: list[dict]


class ResultOut(Schema):
    yes: int
    no: int
    abstain: int
    carried: bool
    quorate: bool
    outcome: str  # carried, not carried or not quorate
    threshold: str


class NamedOut(Schema):
    participant_id: int
    name: str
    choice: str
    ballots: int
    ranking: list[int] | None = None


class VoteOut(Schema):
    id: int
    election_id: int
    kind: str  # "motion", "amendment" or "ranking" (of the competing motions on an item)
    subject: str
    motion_id: int | None
    amendment_id: int | None
    agenda_item_id: int | None
    options: list[MotionRef] | None
    ranking: RankingOut | None
    status: str
    secret: bool
    opened_at: datetime
    electorate: int | None
    # The rules the vote is decided by: the majority's name, the quorum (votes to be cast),
    # the votes present when it opened; outcome: open, carried, not carried, not quorate,
    # or ordered (a ranking).
    majority: str | None
    # The same rule as a stable code (simple, absolute, two-thirds, constitution,
    # programme; None for a rule of its own words) and in the request's language.
    # ``majority`` keeps the words recorded when the vote opened, for existing clients.
    majority_code: str | None
    majority_label: str | None
    quorum: int | None
    present: int | None
    session: int | None
    outcome: str
    cast: int
    result: ResultOut | None
    named: list[NamedOut] | None


class SectionOut(Schema):
    key: str
    title: str
    text: str


class ProgrammeVersionSummary(Schema):
    number: int
    adopted_at: datetime
    note: str
    motion_id: int | None
    vote_id: int | None
    assembly_id: int | None


class ProgrammeVersionOut(ProgrammeVersionSummary):
    sections: list[SectionOut]


class DiffOut(Schema):
    old: int
    new: int
    diff: str
