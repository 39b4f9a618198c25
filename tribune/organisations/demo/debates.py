"""The demo's debates: polemics with replies, a faction's internal thread, and two
moderations under the published rules.
"""

from datetime import timedelta

from tribune.members.models import Member, Standing
from tribune.organisations.demo.clock import Clock
from tribune.organisations.models import Organisation

DEBATES = [
    # (opener's email or None for a plain member, title, subject, branch slug, opening post)
    (
        "ben@example.org",
        "Rent strike now, or repairs campaign first?",
        "Programme: housing demands",
        None,
        "The programme says **rent freeze**. I say we cannot win it without a strike, and "
        "we cannot strike until every building has a committee. Which comes first?\n\n"
        "* a repairs campaign builds the committees;\n* a strike tests them.",
    ),
    (
        "ana@example.org",
        "Millbrook: organising the Hawthorn estate",
        "",
        "millbrook",
        "Forty flats with damp and no heating since October. I propose a door-knock "
        "this Saturday and a building meeting on Tuesday. Who can come?",
    ),
    (
        "cam@example.org",
        "What the first committee election taught us",
        "",
        None,
        "Turnout was 70%. STV gave each current of opinion its fair share of seats. "
        "Next time: hustings in every branch, not just online.",
    ),
]

REPLIES = [
    (0, "ana@example.org", "Repairs first. A strike called before the committees exist is lost."),
    (0, None, "Both at once: the repairs campaign *is* how we prepare the strike."),
    (0, "cam@example.org", "Then let us put a motion to the next general meeting."),
    (1, "ben@example.org", "I can do Saturday morning. I will bring the leaflets."),
    (2, "eli@example.org", "Agreed on hustings. Can branches record them for those on shifts?"),
]


def _debates(organisation: Organisation, clock: Clock) -> None:
    """A few polemics with replies, one faction-internal thread and two visible moderations.

    A "Debate stewards" body holds the ``moderate_debate`` power through a term
    of office, like every power; the steward hides one post under a published
    rule, with a reason the thread shows, and its author appeals. Another post
    publishes someone's address and is hidden under rule 2, which removes
    personal data: its text is withheld from members, its moderation record is not.
    """
    from tribune.debate import services as debate
    from tribune.elections.models import Election

    def member(email):
        return Member.objects.get(organisation=organisation, email=email)

    plain = list(
        Member.objects.filter(organisation=organisation, standing=Standing.GOOD)
        .exclude(email__in=[f"{s}@example.org" for s in ("ana", "ben", "cam", "dana", "eli")])
        .order_by("pk")[20:40]
    )
    clock.now = max(clock.now, clock.real_now() - timedelta(days=21))
    steward = member("dana@example.org")  # elected with the first executive
    past = Election.objects.filter(organisation=organisation).order_by("pk").first()
    threads = []
    for i, (email, title, subject, branch, text) in enumerate(DEBATES):
        clock.advance(hours=6)
        threads.append(
            debate.open_thread(
                member(email) if email else plain[i],
                organisation,
                title=title,
                text=text,
                subject=subject,
                branch=organisation.branches.get(slug=branch) if branch else None,
                election=past if i == 2 else None,
            )
        )
    for n, (index, email, text) in enumerate(REPLIES):
        clock.advance(hours=3)
        debate.reply(member(email) if email else plain[5 + n], threads[index], text)
    clock.advance(hours=2)
    heated = plain[12]
    post = debate.reply(
        heated,
        threads[0],
        "Anyone who wants to wait for repairs is a landlord's stooge, and Ana most of all.",
    )
    clock.advance(hours=4)
    action = debate.hide_post(
        steward,
        post,
        rule=organisation.debate_rules.get(number=1),
        reason=(
            "Personal abuse of another member. The argument for striking now is welcome "
            "without the insult."
        ),
    )
    clock.advance(hours=5)
    debate.appeal_moderation(
        heated, action, "It was a sharp political judgement, not abuse of a person."
    )
    # Rule 2 removes personal data: this post is withheld, readable only by its
    # author and the appeals committee (eli), while the record of the hiding is public.
    clock.advance(hours=1)
    doxx = debate.reply(
        plain[13],
        threads[1],
        "The caretaker who reports us to the landlord is Joe Marsh, 27 Linden Road, flat 2, "
        "mobile 07700 900123. Let him know what we think of him.",
    )
    clock.advance(hours=1)
    debate.hide_post(
        steward,
        doxx,
        rule=organisation.debate_rules.get(number=2),
        reason=(
            "Publishes a person's home address and phone number. Name what the caretaker "
            "does, not where he lives."
        ),
    )
    left = organisation.factions.get(name="Left Unity")
    insiders = [m.member for m in left.memberships.select_related("member").order_by("pk")]
    clock.advance(hours=3)
    internal = debate.open_thread(
        insiders[0],
        organisation,
        title="Our slate for the next committee election",
        text="We should stand three, not two: the first-preference share supports it.",
        faction=left,
    )
    clock.advance(hours=2)
    debate.reply(insiders[1], internal, "Three, if one of them is from the South Region.")
