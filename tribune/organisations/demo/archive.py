"""The demo's archive: documents, versions, tags and links, a members-only note, a
refusal under appeal and a proposal awaiting the archivist.
"""

from tribune.members.models import Member
from tribune.organisations.demo.clock import Clock
from tribune.organisations.models import Organisation

FOUNDING_V1 = """# Why we organise

We are tenants and workers of the towns along the river. Alone, each of us faces
a landlord or an employer who can wait longer than we can. Together we can wait
longer than them.

We organise **branch by branch**: every member belongs to a branch, every branch
elects its officers, and every officer can be recalled by those who elected them.
"""

FOUNDING_V2 = """# Why we organise

We are tenants and workers of the towns along the river. Alone, each of us faces
a landlord or an employer who can wait longer than we can. Together we can wait
longer than them, and we can win.

We organise **branch by branch**: every member belongs to a branch, every branch
elects its officers, and every officer can be recalled by those who elected them.
What one branch learns, every branch is taught: nobody keeps the know-how to themselves.
"""

RENT_STRIKE_LESSONS = """## What we tried

Forty-one households of Linden Court withheld rent for eleven weeks in 2019,
paying it into a strike fund held by the branch, until the landlord agreed to
repair the heating and to freeze rents for two years.

## What worked

* **Building committees first.** Every stairwell had a committee before the strike
  was called; no household was asked to strike alone.
* **The strike fund.** Rent paid into the fund showed we could pay and chose not to;
  it answered the landlord's eviction threats in court.
* **Weekly meetings** where every striking household had a voice.

## What failed

* We had one person who knew the court procedure. When she fell ill, we lost two
  weeks. Teach the procedure to many, before the next strike.
* The press statement went out late; the landlord's version was printed first.
"""

LEAFLET_PAGES = [
    [
        "Know your rights as a tenant",
        "Your landlord must repair heating, water and the structure of your home.",
        "Write to them, keep a copy, and bring it to your branch.",
    ],
    [
        "If they threaten eviction: do not leave. An eviction needs a court order.",
        "Rent strikes are won by committees, not by single households.",
        "People's Union - every branch meets weekly.",
    ],
]


def _archive(organisation: Organisation, clock: Clock) -> None:
    """The archive: a founding statement in two versions, lessons of a rent strike, a PDF
    leaflet, members-only negotiating notes, a refused proposal under appeal, one awaiting.

    The archive committee's archivist holds ``curate_archive`` through a term, like every power;
    everything else is proposed by members through the same services as the pages.
    """
    from tribune.archive import services as archive
    from tribune.archive.samplepdf import simple_pdf
    from tribune.debate.models import Thread
    from tribune.elections.models import Election

    def member(email):
        return Member.objects.get(organisation=organisation, email=email)

    # Ana was elected archivist with the first executive.
    ana, ben, cam, dana = (member(f"{s}@example.org") for s in ("ana", "ben", "cam", "dana"))

    def publish(version, reason):
        clock.advance(hours=2)
        archive.decide(ana, version, publish=True, reason=reason)

    clock.advance(hours=1)
    founding = archive.propose_document(
        ana, organisation, title="Founding statement", text=FOUNDING_V1
    )
    publish(founding.versions.get(), "Adopted at the founding meeting.")
    clock.advance(hours=5)
    second = archive.propose_version(
        ben,
        founding,
        title="Founding statement",
        text=FOUNDING_V2,
        note="Adds that what one branch learns, every branch is taught.",
    )
    publish(second, "The first congress endorsed the addition.")
    archive.set_tags(ana, founding, ["founding", "organising"])
    past = Election.objects.filter(organisation=organisation).order_by("pk").first()
    if past is not None:
        archive.add_link(ana, founding, target="election", ref=str(past.pk))
    archive.add_link(ana, founding, target="section", ref="housing")

    clock.advance(hours=3)
    lessons = archive.propose_document(
        cam,
        organisation,
        title="Lessons of the Linden Court rent strike",
        text=RENT_STRIKE_LESSONS,
        kind="lessons",
        lessons_of="Linden Court rent strike, 2019",
    )
    publish(lessons.versions.get(), "A faithful account, checked with the strike committee.")
    archive.set_tags(cam, lessons, ["rent strike", "lessons", "housing"])
    thread = Thread.objects.filter(organisation=organisation, faction__isnull=True).first()
    if thread is not None:
        archive.add_link(cam, lessons, target="thread", ref=str(thread.pk))

    clock.advance(hours=3)
    leaflet = archive.propose_document(
        ben,
        organisation,
        title="Leaflet: know your rights as a tenant",
        pdf=simple_pdf(LEAFLET_PAGES),
        pdf_name="tenant-rights.pdf",
    )
    publish(leaflet.versions.get(), "Our standard leaflet, as printed.")
    archive.set_tags(ben, leaflet, ["housing", "leaflets"])

    clock.advance(hours=2)
    notes = archive.propose_document(
        dana,
        organisation,
        title="Negotiating notes: Riverside landlord talks",
        text=(
            "Our opening demand is a 0% rent rise. We will settle for 2% with repairs "
            "completed within six months. Do not share outside the union."
        ),
        visibility="members",
    )
    publish(notes.versions.get(), "For members only while talks continue.")

    clock.advance(hours=4)
    refused = archive.propose_document(
        cam,
        organisation,
        title="Why we should back the mayor's housing plan",
        text="The plan is the best we will get this year; we should say so publicly.",
    )
    clock.advance(hours=2)
    decision = archive.decide(
        ana,
        refused.versions.get(),
        publish=False,
        reason=(
            "This argues a current position: it belongs in the debate, where members can "
            "answer it. The archive keeps records and lessons."
        ),
    )
    clock.advance(hours=1)
    archive.appeal_refusal(
        cam, decision, "Positions we took are part of our history too; this is one."
    )
    clock.advance(hours=1)
    archive.propose_document(
        ben,
        organisation,
        title="Minutes of the Riverside branch meeting",
        text="Present: 14 members. Agreed: a stall at the Saturday market.",
    )
