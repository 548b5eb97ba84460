"""Operators' states from the events Asterisk 22.10.1 sent (the reference transcripts),
from events shaped like them, and from the clock."""

from __future__ import annotations

from datetime import timedelta

from callcenter.board import Board, Span
from callcenter.operator_state import Activity, StateRules, login_of
from telephony.ami.member_events import QueueMember, QueueMemberStatus
from tests.callcenter.member_wire import (
    CAPTURED,
    agent,
    at,
    member,
    reference_headers,
    reshaped,
    timed_events,
)
from worktime.clock import ManualClock

FIVE_MINUTES = timedelta(minutes=5)
OLGA = "Local/olga@operators/n"


def rules(**wrapup_seconds: int) -> StateRules:
    wrapup = {queue: timedelta(seconds=s) for queue, s in wrapup_seconds.items()}
    return StateRules(FIVE_MINUTES, wrapup, frozenset({"after_call_work"}))


def replay(board: Board, relative: str) -> list[Span]:
    spans: list[Span] = []
    for moment, event in timed_events(relative):
        spans.extend(board.apply(event, moment))
    return spans


def stretches(spans: list[Span], login: str) -> list[tuple[Activity, float, float]]:
    return [
        (s.activity, (s.start - CAPTURED).total_seconds(), (s.end - CAPTURED).total_seconds())
        for s in spans
        if s.login == login
    ]


def test_a_member_interface_names_the_operator_by_login() -> None:
    assert login_of(member("QueueMemberStatus", "support", OLGA)) == "olga"
    assert login_of(member("QueueMemberStatus", "support", "PJSIP/olga")) == "olga"
    assert login_of(agent("AgentCalled", "support", "PJSIP/Olga")) == "olga"


def test_member_events_carry_wrapup_and_login_time() -> None:
    statuses = [e for _, e in timed_events("ami/ami-queue-answered.txt")]
    status = next(e for e in statuses if isinstance(e, QueueMemberStatus))
    item = reshaped(reference_headers("ami/ami-queue-actions.txt", "QueueMember"), Wrapuptime="45")

    assert isinstance(item, QueueMember)
    assert (item.wrapup_time, item.login_time) == (45, 1795774860)
    assert (status.wrapup_time, status.login_time) == (0, 1795774860)


def test_an_answered_queue_call_rings_talks_and_frees_the_operator() -> None:
    board = Board(rules())
    spans = replay(board, "ami/ami-queue-answered.txt")

    assert stretches(spans, "op-answer") == [
        (Activity.AVAILABLE, 1.510, 5.015),  # seen first in the QueueStatus list
        (Activity.RINGING, 5.015, 6.020),
        (Activity.TALKING, 6.020, 9.945),
    ]
    assert board.state("op-answer", at(12)).activity is Activity.AVAILABLE
    # the member that never answers: rung for 4 s in support, then free again
    assert stretches(spans, "op-noanswer") == [(Activity.RINGING, 0.009, 4.009)]
    noanswer = board.state("op-noanswer", at(12))
    assert (noanswer.activity, noanswer.queues) == (
        Activity.AVAILABLE,
        frozenset({"support", "sales"}),
    )


def test_a_ring_the_caller_abandons_ends_when_the_member_is_free_again() -> None:
    board = Board(rules())
    spans = replay(board, "ami/ami-queue-abandon.txt")

    assert stretches(spans, "op-noanswer") == [(Activity.RINGING, 0.008, 3.030)]
    assert board.state("op-noanswer", at(4)).activity is Activity.AVAILABLE


def test_added_paused_for_lunch_unpaused_and_removed() -> None:
    board = Board(rules())
    spans = replay(board, "ami/ami-queue-actions.txt")

    assert stretches(spans, "op3") == [
        (Activity.AVAILABLE, 0.003, 0.309),
        (Activity.BREAK, 0.309, 0.610),
        (Activity.AVAILABLE, 0.610, 1.213),
    ]
    assert [s.reason for s in spans if s.activity is Activity.BREAK] == ["lunch"]
    assert board.state("op3", at(2)).activity is Activity.OFFLINE


def test_after_call_work_runs_for_the_queues_wrapup_from_the_end_of_the_call() -> None:
    board = Board(rules(support=30))
    replay(board, "ami/ami-queue-answered.txt")

    during = board.state("op-answer", at(9.945 + 29))
    assert (during.activity, during.seconds_in_state(at(9.945 + 29))) == (
        Activity.AFTER_CALL_WORK,
        29,
    )
    assert board.taking_calls("support", at(20)) == ["op-answer", "op-noanswer"]
    assert board.advance(at(50)) == [
        Span("op-answer", Activity.AFTER_CALL_WORK, "", at(9.945), at(39.945))
    ]
    assert board.state("op-answer", at(50)).since == at(39.945)


def test_a_members_own_wrapup_wins_over_the_queues() -> None:
    board = Board(rules(support=30))
    board.apply(member("QueueMemberAdded", "support", OLGA, wrapup=90), at(0))
    board.apply(agent("AgentConnect", "support", OLGA), at(10))
    board.apply(agent("AgentComplete", "support", OLGA), at(70))

    assert board.state("olga", at(70 + 89)).activity is Activity.AFTER_CALL_WORK
    assert board.state("olga", at(70 + 90)).activity is Activity.AVAILABLE


def test_wrapup_stays_right_after_an_attended_transfer_resets_lastcall() -> None:
    """asterisk/asterisk#607: after the transfer Asterisk shows LastCall 0 in every queue
    of the member; the engine's own record of the call's end still times the wrap-up."""
    board = Board(rules(support=60, sales=60))
    board.apply(member("QueueMemberAdded", "support", OLGA), at(0))
    board.apply(member("QueueMemberAdded", "sales", OLGA), at(0))
    board.apply(agent("AgentCalled", "support", OLGA), at(5))
    board.apply(agent("AgentConnect", "support", OLGA), at(6))
    board.apply(member("QueueMemberStatus", "support", OLGA, status=2, in_call=True), at(6))
    board.apply(agent("AgentComplete", "support", OLGA, Reason="transfer"), at(100))
    for queue in ("support", "sales"):
        board.apply(member("QueueMemberStatus", queue, OLGA, status=1, last_call=0), at(100.5))
    # the transferred call goes on; Asterisk reports the member again, LastCall still 0
    board.apply(member("QueueMemberStatus", "support", OLGA, status=1, last_call=0), at(130))

    late = board.state("olga", at(159))
    assert (late.activity, late.since, late.call_queue) == (
        Activity.AFTER_CALL_WORK,
        at(100),
        "support",
    )
    assert board.state("olga", at(160)).activity is Activity.AVAILABLE


def test_a_call_that_ends_without_agent_complete_still_starts_wrapup() -> None:
    board = Board(rules(support=20))
    board.apply(member("QueueMemberAdded", "support", OLGA), at(0))
    board.apply(agent("AgentConnect", "support", OLGA), at(1))
    board.apply(member("QueueMemberStatus", "support", OLGA, status=1), at(40))

    state = board.state("olga", at(50))
    assert (state.activity, state.since) == (Activity.AFTER_CALL_WORK, at(40))


def test_after_call_work_over_five_minutes_is_flagged() -> None:
    clock = ManualClock(at(0))
    board = Board(rules(support=600))
    board.apply(member("QueueMemberAdded", "support", OLGA), clock())
    board.apply(agent("AgentConnect", "support", OLGA), clock())
    clock.advance(90)
    board.apply(agent("AgentComplete", "support", OLGA), clock())

    clock.advance(300)
    assert not board.state("olga", clock()).over_limit
    clock.advance(1)
    state = board.state("olga", clock())
    assert (state.activity, state.over_limit) == (Activity.AFTER_CALL_WORK, True)
    assert board.advance(clock()) == []  # still the same stretch, only flagged
    clock.advance(299)
    assert board.state("olga", clock()).activity is Activity.AVAILABLE


def test_after_call_work_taken_as_a_pause_is_not_a_break_and_is_timed_from_the_call() -> None:
    clock = ManualClock(at(0))
    board = Board(rules())
    board.apply(member("QueueMemberAdded", "support", OLGA), clock())
    board.apply(agent("AgentConnect", "support", OLGA), clock())
    clock.advance(60)
    board.apply(agent("AgentComplete", "support", OLGA), clock())
    pause = member("QueueMemberPause", "support", OLGA, paused=True, reason="after_call_work")
    board.apply(pause, clock())
    ended = clock()

    clock.advance(301)
    state = board.state("olga", clock())
    assert (state.activity, state.since, state.over_limit) == (
        Activity.AFTER_CALL_WORK,
        ended,
        True,
    )
    assert board.taking_calls("support", clock()) == []  # paused: no calls come
    spans = board.apply(member("QueueMemberPause", "support", OLGA), clock())
    assert [(s.activity, s.seconds) for s in spans] == [(Activity.AFTER_CALL_WORK, 301)]


def test_a_pause_in_one_queue_keeps_the_operator_taking_calls_in_the_other() -> None:
    board = Board(rules())
    for moment, event in timed_events("ami/ami-queue-answered.txt"):
        board.apply(event, moment)
    board.apply(
        member("QueueMemberPause", "sales", "Local/op-noanswer@operators/n", paused=True), at(20)
    )

    assert board.state("op-noanswer", at(21)).activity is Activity.AVAILABLE
    assert board.taking_calls("sales", at(21)) == []
    assert board.taking_calls("support", at(21)) == ["op-answer", "op-noanswer"]


def test_the_gap_while_the_link_is_down_shows_as_unknown_then_the_snapshot_decides() -> None:
    board = Board(rules())
    board.apply(member("QueueMemberAdded", "support", OLGA), at(0))
    board.apply(agent("AgentConnect", "support", OLGA), at(10))

    lost = board.link_lost(at(40))
    assert board.taking_calls("support", at(50)) == []
    assert board.apply(agent("AgentComplete", "support", OLGA), at(60)) == []
    assert board.state("olga", at(70)).activity is Activity.UNKNOWN

    snapshot = [
        member("QueueMember", "support", OLGA, paused=True, reason="lunch", last_call=1),
        member("QueueMember", "support", "PJSIP/ivan"),
    ]
    found = board.resync(snapshot, at(100))

    assert [(s.activity, s.start, s.end) for s in lost] == [(Activity.TALKING, at(10), at(40))]
    assert [(s.login, s.activity, s.start, s.end) for s in found] == [
        ("olga", Activity.UNKNOWN, at(40), at(100))
    ]
    olga = board.state("olga", at(130))
    assert (olga.activity, olga.reason, olga.since) == (Activity.BREAK, "lunch", at(100))
    assert board.state("ivan", at(130)).since == at(100)
    assert board.taking_calls("support", at(130)) == ["ivan"]


def test_after_a_gap_lastcall_stands_in_for_the_wrapup_it_missed() -> None:
    board = Board(rules(support=60))
    board.apply(member("QueueMemberAdded", "support", OLGA), at(0))
    board.link_lost(at(10))
    ended = int(at(30).timestamp())
    board.resync([member("QueueMember", "support", OLGA, last_call=ended)], at(40))

    state = board.state("olga", at(40))
    assert (state.activity, state.since) == (Activity.AFTER_CALL_WORK, at(40))
    assert board.state("olga", at(90)).activity is Activity.AVAILABLE


def test_a_resync_without_a_gap_keeps_the_time_in_state_and_the_engines_wrapup() -> None:
    board = Board(rules(support=60))
    board.apply(member("QueueMemberAdded", "support", OLGA), at(0))
    board.apply(agent("AgentConnect", "support", OLGA), at(5))
    board.apply(agent("AgentComplete", "support", OLGA), at(20))

    assert board.resync([member("QueueMember", "support", OLGA, last_call=0)], at(30)) == []
    state = board.state("olga", at(79))
    assert (state.activity, state.since) == (Activity.AFTER_CALL_WORK, at(20))


def test_an_operator_missing_from_the_snapshot_is_offline() -> None:
    board = Board(rules())
    board.apply(member("QueueMemberAdded", "support", OLGA), at(0))
    board.link_lost(at(5))
    board.resync([], at(9))

    assert board.state("olga", at(10)).activity is Activity.OFFLINE
    assert board.queues() == frozenset()


def test_an_unreachable_device_is_offline_but_a_break_stays_a_break() -> None:
    board = Board(rules())
    board.apply(member("QueueMemberAdded", "support", OLGA), at(0))
    board.apply(member("QueueMemberStatus", "support", OLGA, status=5), at(1))
    assert board.state("olga", at(2)).activity is Activity.OFFLINE
    board.apply(member("QueueMemberPause", "support", OLGA, status=5, paused=True), at(3))
    assert board.state("olga", at(4)).activity is Activity.BREAK
    assert board.state("nobody", at(4)).activity is Activity.OFFLINE
