"""The release decision of kept-place callbacks (CC-5): never more dialled than
operators are free, in the order callers joined the queue (live callers and callbacks
alike), an operator held ahead of the live callers who came later, nothing out of hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.callback_release import (
    HOLD_REASON,
    Dial,
    KeptCallback,
    Pause,
    decide,
    free_for,
)
from callcenter.operator_state import Activity, CallPhase, Membership, OperatorState
from callcenter.queue_call_watch import Waiting
from telephony.ami.member_events import MemberStatus

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
QUEUES = ("billing", "dispatch")


def always_open(_queue: str, _now: datetime) -> bool:
    return True


def operator(
    login: str,
    activity: Activity = Activity.AVAILABLE,
    queues: tuple[str, ...] = ("billing",),
    *,
    paused: str | None = None,
    since: datetime = NOW,
) -> OperatorState:
    busy = {
        Activity.TALKING: (CallPhase.TALKING, MemberStatus.IN_USE),
        Activity.RINGING: (CallPhase.RINGING, MemberStatus.IN_USE),
        Activity.AFTER_CALL_WORK: (CallPhase.WRAP_UP, MemberStatus.NOT_IN_USE),
    }
    phase, device = busy.get(activity, (CallPhase.IDLE, MemberStatus.NOT_IN_USE))
    memberships = {
        q: Membership(q, f"Local/{login}@operators/n", paused is not None, paused or "")
        for q in queues
    }
    return OperatorState(login, activity, since, "", memberships, device, phase)


def callback(task_id: int, minutes_ago: float, queue: str = "billing") -> KeptCallback:
    return KeptCallback(task_id, queue, NOW - timedelta(minutes=minutes_ago))


def caller(minutes_ago: float, queue: str = "billing") -> Waiting:
    return Waiting(queue, f"u{minutes_ago}", "7913", NOW - timedelta(minutes=minutes_ago))


def test_a_free_operator_gets_the_callback_and_is_held_for_its_call() -> None:
    release = decide(NOW, [callback(1, 3)], [], [operator("olga")], always_open)
    assert release.dials == (Dial(1, "billing", "olga", "Local/olga@operators/n"),)
    assert release.pauses == (Pause("olga", "billing", "Local/olga@operators/n", True),)


def test_a_live_caller_who_came_first_is_served_before_the_callback() -> None:
    release = decide(NOW, [callback(1, 3)], [caller(5)], [operator("olga")], always_open)
    assert release.dials == ()


def test_a_callback_ahead_of_a_later_caller_holds_an_operator_in_a_call() -> None:
    """The free member would be rung by app_queue at once: hold one who talks now."""
    talking = [
        operator("ivan", Activity.TALKING, since=NOW - timedelta(minutes=1)),
        operator("olga", Activity.TALKING, since=NOW - timedelta(minutes=9)),
    ]
    release = decide(NOW, [callback(1, 3)], [caller(1)], talking, always_open)
    assert release.dials == ()
    assert release.pauses == (Pause("olga", "billing", "Local/olga@operators/n", True),)
    assert release.reserved == {"olga"}, "the one longest in a call"


def test_the_held_operator_gets_the_callback_once_free() -> None:
    held = operator("olga", queues=("billing",), paused=HOLD_REASON)
    release = decide(NOW, [callback(1, 3)], [caller(1)], [operator("ivan"), held], always_open)
    assert [dial.login for dial in release.dials] == ["olga"], "the held one first"
    assert release.pauses == (), "olga is held already, ivan stays for the live caller"


def test_a_hold_no_longer_needed_is_let_go() -> None:
    held = operator("olga", Activity.BREAK, queues=("billing",), paused=HOLD_REASON)
    release = decide(NOW, [], [caller(1)], [held], always_open)
    assert release.pauses == (Pause("olga", "billing", "Local/olga@operators/n", False),)


def test_an_operator_on_a_break_is_neither_dialled_nor_held_nor_unpaused() -> None:
    lunch = operator("olga", Activity.BREAK, paused="lunch")
    release = decide(NOW, [callback(1, 3)], [caller(1)], [lunch], always_open)
    assert release == decide(NOW, [], [], [lunch], always_open)
    assert (release.dials, release.pauses) == ((), ())


def test_an_operator_in_a_callback_call_is_not_free_nor_let_go() -> None:
    held = operator("olga", paused=HOLD_REASON)
    release = decide(NOW, [callback(2, 1)], [], [held], always_open, busy=frozenset({"olga"}))
    assert (release.dials, release.pauses) == ((), ())


def test_nothing_is_released_out_of_hours_and_holds_are_let_go() -> None:
    def closed(_queue: str, _now: datetime) -> bool:
        return False

    held = operator("olga", paused=HOLD_REASON)
    release = decide(NOW, [callback(1, 3)], [], [held, operator("ivan")], closed)
    assert release.dials == ()
    assert release.pauses == (Pause("olga", "billing", "Local/olga@operators/n", False),)


def test_the_earliest_callback_goes_first() -> None:
    release = decide(NOW, [callback(1, 2), callback(2, 7)], [], [operator("olga")], always_open)
    assert [dial.task_id for dial in release.dials] == [2]


def test_an_operator_of_another_queue_is_not_free_for_it() -> None:
    assert not free_for(operator("olga", queues=("dispatch",)), "billing")
    assert free_for(operator("olga", queues=("dispatch", "billing")), "billing")


ACTIVITIES = st.sampled_from(
    [Activity.AVAILABLE, Activity.TALKING, Activity.RINGING, Activity.AFTER_CALL_WORK,
     Activity.BREAK, Activity.OFFLINE]
)  # fmt: skip
OPERATORS = st.lists(
    st.tuples(
        ACTIVITIES,
        st.lists(st.sampled_from(QUEUES), min_size=1, max_size=2, unique=True),
        st.sampled_from([None, None, HOLD_REASON, "lunch"]),
        st.integers(0, 30),
    ),
    max_size=6,
).map(
    lambda rows: [
        operator(f"op{n}", a, tuple(q), paused=p, since=NOW - timedelta(minutes=m))
        for n, (a, q, p, m) in enumerate(rows)
    ]
)
CALLBACKS = st.lists(st.tuples(st.integers(0, 60), st.sampled_from(QUEUES)), max_size=8).map(
    lambda rows: [callback(n + 1, m, q) for n, (m, q) in enumerate(rows)]
)
CALLERS = st.lists(st.tuples(st.integers(0, 60), st.sampled_from(QUEUES)), max_size=8).map(
    lambda rows: [caller(m + 0.5, q) for m, q in rows]
)


@settings(max_examples=300, deadline=None)
@given(OPERATORS, CALLBACKS, CALLERS, st.frozensets(st.sampled_from(QUEUES)))
def test_never_more_dialled_than_free_operators_and_always_in_join_order(
    operators: list[OperatorState],
    callbacks: list[KeptCallback],
    waiting: list[Waiting],
    open_queues: frozenset[str],
) -> None:
    release = decide(NOW, callbacks, waiting, operators, lambda q, _now: q in open_queues)
    by_login = {state.login: state for state in operators}
    by_task = {c.task_id: c for c in callbacks}
    logins = [dial.login for dial in release.dials]
    assert len(set(logins)) == len(logins), "one callback an operator"
    free = {s.login for s in operators if any(free_for(s, q) for q in s.memberships)}
    assert len(release.dials) <= len(free)
    for dial in release.dials:
        kept = by_task[dial.task_id]
        assert dial.queue in open_queues, "nothing released out of hours"
        assert free_for(by_login[dial.login], dial.queue)
        assert not any(c.queue == dial.queue and c.joined_at < kept.joined_at for c in waiting)
        skipped = [
            c for c in callbacks
            if c.queue == dial.queue and c.joined_at < kept.joined_at
            and c.task_id not in {d.task_id for d in release.dials}
        ]  # fmt: skip
        assert not skipped, "a later callback never overtakes an earlier one of its queue"
    for pause in release.pauses:
        member = by_login[pause.login].memberships[pause.queue]
        if pause.paused:
            assert not member.paused, "a break is never overwritten"
        else:
            assert member.paused_reason == HOLD_REASON, "only the engine's holds are undone"
