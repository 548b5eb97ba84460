"""The wallboard's figures and alerts from what is stored and seen now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.call_register import CallOutcome, QueueCall
from callcenter.link_outages import OutageAlarm
from callcenter.operator_state import Activity
from callcenter.operator_store import OperatorNow
from callcenter.queue_call_watch import Waiting
from callcenter.wallboard import WallboardRules, wallboard

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
RULES = WallboardRules(40, 5, timedelta(hours=2))


def answered(wait: float) -> QueueCall:
    joined = NOW - timedelta(minutes=10)
    return QueueCall(
        queue="billing", uniqueid=f"u{wait}", linkedid="l", caller="7913", joined_at=joined,
        answered_at=joined + timedelta(seconds=wait), ended_at=joined + timedelta(minutes=3),
        wait_seconds=wait, talk_seconds=120, outcome=CallOutcome.ANSWERED,
    )  # fmt: skip


def test_queues_show_waiting_service_level_and_who_takes_calls() -> None:
    operators = [
        OperatorNow("olga", Activity.TALKING, "", NOW - timedelta(seconds=70), ("billing",), False),
        OperatorNow("ivan", Activity.BREAK, "lunch", NOW, ("billing", "dispatch"), False),
        OperatorNow("petr", Activity.AFTER_CALL_WORK, "", NOW, ("dispatch",), True),
    ]
    waiting = [
        Waiting("billing", "w1", "7913", NOW - timedelta(seconds=55)),
        Waiting("dispatch", "w2", None, NOW - timedelta(seconds=5)),
    ]
    board = wallboard(
        NOW, operators, waiting, [answered(10), answered(30), answered(50)], True, None, RULES
    )

    billing, dispatch = board["queues"]
    assert billing == {
        "queue": "billing", "waiting": 1, "kept_callbacks": 0, "longest_wait_seconds": 55,
        "answered": 3, "abandoned": 0, "service_level": 0.667, "taking_calls": 1,
    }  # fmt: skip
    assert (dispatch["waiting"], dispatch["taking_calls"], dispatch["service_level"]) == (
        1,
        1,
        None,
    )
    assert board["operators"][0]["seconds"] == 70
    assert board["alerts"] == [
        "Queue billing: a caller has waited 55 s (limit 40 s)",
        "petr: after-call work over its limit",
    ]


def test_a_queue_with_callers_and_nobody_to_take_them_is_an_alert() -> None:
    operators = [OperatorNow("ivan", Activity.BREAK, "lunch", NOW, ("billing",), False)]
    waiting = [Waiting("billing", "w1", "7913", NOW - timedelta(seconds=3))]

    board = wallboard(NOW, operators, waiting, [], True, None, RULES)

    assert board["alerts"] == ["Queue billing: 1 waiting and nobody takes its calls"]


@pytest.mark.parametrize(("down_minutes", "alerted"), [(119, False), (121, True)])
def test_the_link_down_past_two_hours_is_an_alert_and_one_log_line(
    down_minutes: int, alerted: bool, caplog: pytest.LogCaptureFixture
) -> None:
    lost_at = NOW - timedelta(minutes=down_minutes)
    board = wallboard(NOW, [], None, [], False, lost_at, RULES)
    alarm = OutageAlarm(timedelta(hours=2))

    assert board["link"] == "down"
    assert any("longer than the 2:00:00" in alert for alert in board["alerts"]) is alerted
    assert alarm.check(lost_at, NOW) is alarm.check(lost_at, NOW + timedelta(seconds=1)) is alerted
    assert len([r for r in caplog.records if "CC-10" in r.getMessage()]) == int(alerted)


def test_callbacks_keeping_a_place_are_counted_beside_the_callers_waiting() -> None:
    waiting = [Waiting("billing", "w1", "7913", NOW - timedelta(seconds=10))]
    operators = [OperatorNow("olga", Activity.AVAILABLE, "", NOW, ("billing",), False)]
    kept = {"billing": 2, "dispatch": 1, "support": 0}

    board = wallboard(NOW, operators, waiting, [], True, None, RULES, kept)
    unlinked = wallboard(NOW, operators, None, [], None, None, RULES, kept)

    rows = {queue["queue"]: queue for queue in board["queues"]}
    assert list(rows) == ["billing", "dispatch"], "a queue with kept callbacks only is shown"
    assert (rows["billing"]["waiting"], rows["billing"]["kept_callbacks"]) == (1, 2)
    assert (rows["dispatch"]["waiting"], rows["dispatch"]["kept_callbacks"]) == (0, 1)
    assert [(q["waiting"], q["kept_callbacks"]) for q in unlinked["queues"]] == [
        (None, 2),
        (None, 1),
    ], "stored, so known in a process without the AMI link"
    (none_kept,) = wallboard(NOW, operators, waiting, [], True, None, RULES)["queues"]
    assert none_kept["kept_callbacks"] == 0
