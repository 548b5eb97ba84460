"""CC-3: a break is never taken by the last operator taking a queue's calls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.board import Board
from callcenter.breaks import (
    Allowed,
    BreakReason,
    BreakRulesError,
    Refused,
    break_allowed,
    break_overrun,
    parse_break_reasons,
)
from callcenter.operator_state import Activity, StateRules
from tests.callcenter.member_wire import agent, at, member

RULES = parse_break_reasons("lunch=45, rest=15, training")
STATE_RULES = StateRules(timedelta(minutes=5), {"support": timedelta(seconds=30)})


def interface(login: str) -> str:
    return f"Local/{login}@operators/n"


def staffed(queues: dict[str, list[str]]) -> Board:
    """A board whose operators have just been added to their queues, all available."""
    board = Board(STATE_RULES)
    for queue, logins in queues.items():
        for login in logins:
            board.apply(member("QueueMemberAdded", queue, interface(login)), at(0))
    return board


def take_break(board: Board, login: str, reason: str, seconds: float) -> None:
    """What the engine does with an allowed break: QueuePause in every queue, and the
    QueueMemberPause events that follow."""
    for queue in sorted(board.state(login, at(seconds)).queues):
        paused = member("QueueMemberPause", queue, interface(login), paused=True, reason=reason)
        board.apply(paused, at(seconds))


def test_the_last_operator_of_a_queue_is_refused_with_the_queue_named() -> None:
    board = staffed({"support": ["olga", "ivan"], "dispatch": ["olga"]})

    answer = break_allowed(board, "olga", "lunch", at(10), RULES)

    assert answer == Refused("nobody else takes calls in queue dispatch")


def test_a_break_is_allowed_while_another_operator_serves_every_queue() -> None:
    board = staffed({"support": ["olga", "ivan"], "dispatch": ["olga", "ivan"]})

    answer = break_allowed(board, "olga", "lunch", at(10), RULES)

    assert answer == Allowed(BreakReason("lunch", 45), at(10) + timedelta(minutes=45))
    take_break(board, "olga", "lunch", 10)
    assert break_allowed(board, "ivan", "rest", at(20), RULES) == Refused(
        "nobody else takes calls in queues dispatch, support"
    )


def test_operators_ringing_talking_or_in_wrapup_count_as_taking_calls() -> None:
    board = staffed({"support": ["olga", "ivan", "petr"]})
    board.apply(agent("AgentCalled", "support", interface("ivan")), at(1))
    board.apply(agent("AgentConnect", "support", interface("petr")), at(1))
    board.apply(agent("AgentComplete", "support", interface("petr")), at(5))

    assert board.state("petr", at(10)).activity is Activity.AFTER_CALL_WORK
    assert isinstance(break_allowed(board, "olga", "rest", at(10), RULES), Allowed)
    take_break(board, "olga", "rest", 10)
    assert isinstance(break_allowed(board, "ivan", "rest", at(11), RULES), Allowed)
    take_break(board, "ivan", "rest", 11)
    assert break_allowed(board, "petr", "rest", at(12), RULES) == Refused(
        "nobody else takes calls in queue support"
    )


def test_a_paused_or_unreachable_colleague_does_not_count() -> None:
    board = staffed({"support": ["olga", "ivan", "petr"]})
    board.apply(member("QueueMemberPause", "support", interface("ivan"), paused=True), at(1))
    board.apply(member("QueueMemberStatus", "support", interface("petr"), status=5), at(1))

    assert isinstance(break_allowed(board, "olga", "lunch", at(2), RULES), Refused)


def test_an_operator_already_on_a_break_cannot_start_another() -> None:
    board = staffed({"support": ["olga", "ivan", "petr"]})
    take_break(board, "olga", "lunch", 10)

    answer = break_allowed(board, "olga", "rest", at(20), RULES)

    assert isinstance(answer, Refused)
    assert answer.reason.startswith("olga is already on a break (lunch) since ")


def test_unknown_reasons_operators_and_a_lost_link_are_refused() -> None:
    board = staffed({"support": ["olga", "ivan"]})

    assert break_allowed(board, "olga", "smoke", at(1), RULES) == Refused(
        "'smoke' is not a break reason; the reasons are lunch, rest, training"
    )
    assert break_allowed(board, "nobody", "rest", at(1), RULES) == Refused("nobody is in no queue")
    board.link_lost(at(2))
    refused = break_allowed(board, "olga", "rest", at(3), RULES)
    assert isinstance(refused, Refused) and "link" in refused.reason


def test_a_queue_nobody_takes_calls_in_already_does_not_hold_a_break_back() -> None:
    board = staffed({"support": ["olga", "ivan"], "dispatch": ["ivan"]})
    board.apply(member("QueueMemberPause", "dispatch", interface("ivan"), paused=True), at(1))

    assert board.taking_calls("dispatch", at(2)) == []
    assert isinstance(break_allowed(board, "ivan", "rest", at(2), RULES), Allowed)
    take_break(board, "ivan", "rest", 2)
    assert break_allowed(board, "olga", "rest", at(3), RULES) == Refused(
        "nobody else takes calls in queue support"
    )


def test_a_bounded_break_overruns_an_unbounded_one_never_does() -> None:
    board = staffed({"support": ["olga", "ivan", "petr"]})
    take_break(board, "olga", "rest", 0)
    take_break(board, "ivan", "training", 0)

    assert not break_overrun(board.state("olga", at(15 * 60)), at(15 * 60), RULES)
    assert break_overrun(board.state("olga", at(15 * 60 + 1)), at(15 * 60 + 1), RULES)
    assert not break_overrun(board.state("ivan", at(8 * 3600)), at(8 * 3600), RULES)
    assert RULES.reason("training") == BreakReason("training", None)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no break reasons"),
        ("lunch, lunch=30", "listed twice"),
        ("Обед=30", "not a reason"),
        ("lunch=0", "not a number of minutes"),
        ("lunch=half", "not a number of minutes"),
    ],
)
def test_a_bad_list_of_reasons_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(BreakRulesError, match=problem):
        parse_break_reasons(text)


LOGINS = ["olga", "ivan", "petr", "anna"]
QUEUES = ["support", "dispatch", "sales"]
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["break", "back", "ring", "talk", "hang up"]),
        st.sampled_from(LOGINS),
        st.sampled_from(["lunch", "rest", "training"]),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(QUEUES), st.lists(st.sampled_from(LOGINS), unique=True), min_size=1
    ),
    STEPS,
)
def test_after_any_allowed_breaks_every_staffed_queue_still_has_someone(
    queues: dict[str, list[str]], steps: list[tuple[str, str, str]]
) -> None:
    board = staffed(queues)
    staffed_at_start = {queue for queue in queues if board.taking_calls(queue, at(0))}
    for second, (step, login, reason) in enumerate(steps, start=1):
        moment = at(second)
        state = board.state(login, moment)
        if step == "break" and isinstance(
            break_allowed(board, login, reason, moment, RULES), Allowed
        ):
            take_break(board, login, reason, second)
        elif step == "back" and state.activity is Activity.BREAK:
            for queue in sorted(state.queues):
                board.apply(member("QueueMemberPause", queue, interface(login)), moment)
        elif step in ("ring", "talk", "hang up") and state.activity in (
            Activity.AVAILABLE,
            Activity.RINGING,
            Activity.TALKING,
        ):
            queue = sorted(state.queues)[0]
            name = {"ring": "AgentCalled", "talk": "AgentConnect", "hang up": "AgentComplete"}
            board.apply(agent(name[step], queue, interface(login)), moment)
        for queue in staffed_at_start:
            assert board.taking_calls(queue, moment), f"{queue} left unanswered after {step}"
