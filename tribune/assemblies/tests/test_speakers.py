"""The list of speakers follows the standing orders' fairness rules."""

from tribune.assemblies.speakers import Request, Rules, speaking_order


def names(requests):
    return [r.speaker for r in requests]


def test_first_come_first_served_without_rules():
    queue = [Request("ana", 1), Request("ben", 2), Request("cam", 3)]
    rules = Rules(first_speakers_first=False)
    assert names(speaking_order(queue, already_spoke={"ana"}, rules=rules)) == [
        "ana",
        "ben",
        "cam",
    ]


def test_first_time_speakers_before_repeat_speakers():
    queue = [Request("ana", 1), Request("ben", 2), Request("cam", 3)]
    assert names(speaking_order(queue, already_spoke={"ana"})) == ["ben", "cam", "ana"]


def test_points_of_order_jump_the_queue():
    queue = [Request("ana", 1), Request("ben", 2), Request("dia", 3, point_of_order=True)]
    assert names(speaking_order(queue)) == ["dia", "ana", "ben"]


def test_alternating_list_between_groups():
    queue = [
        Request("al", 1, "m"),
        Request("bo", 2, "m"),
        Request("cy", 3, "m"),
        Request("di", 4, "w"),
        Request("ed", 5, "w"),
    ]
    order = speaking_order(queue, last_group="m", rules=Rules(alternate=True))
    assert names(order) == ["di", "al", "ed", "bo", "cy"]  # alternate while both wait


def test_alternating_respects_first_speakers_first():
    queue = [Request("al", 1, "m"), Request("bo", 2, "m"), Request("di", 3, "w")]
    order = speaking_order(queue, already_spoke={"al"}, rules=Rules(alternate=True))
    assert names(order) == ["bo", "di", "al"]
