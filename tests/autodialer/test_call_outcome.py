"""What a campaign call came to, from the facts Asterisk gives of it."""

from __future__ import annotations

import pytest

from autodialer.call_outcome import CallFacts, amd_cause_kind, call_cause, hangup_cause_text
from autodialer.model import Cause, Outcome


def unanswered(reason: int | None, cause: int | None) -> CallFacts:
    return CallFacts(reason, cause, None, None, False, False, None)


def answered(*, amd: str = "HUMAN", key: str | None = None, to_end: bool = False) -> CallFacts:
    amd_cause = {"HUMAN": "HUMAN-800-800", "MACHINE": "LONGGREETING-1500-1500"}.get(amd)
    return CallFacts(4, 16, amd, amd_cause, True, to_end, key)


def cause_of(facts: CallFacts) -> Cause:
    return call_cause(facts, operator_key="0", confirm_key="1")


@pytest.mark.parametrize(
    ("reason", "hangup", "expected"),
    [
        (5, 17, Cause.BUSY),
        (5, 0, Cause.BUSY),  # a Local channel's originating half hangs up with cause 0
        (3, 19, Cause.NO_ANSWER),
        (8, 34, Cause.CONGESTION),
        (1, 16, Cause.NO_ANSWER),
        (0, 0, Cause.FAILED),
        (0, None, Cause.FAILED),
        (7, None, Cause.FAILED),
    ],
)
def test_an_unanswered_call_is_judged_by_its_originate_reason(
    reason: int, hangup: int | None, expected: Cause
) -> None:
    assert cause_of(unanswered(reason, hangup)) == expected


@pytest.mark.parametrize(
    ("reason", "hangup", "expected"),
    [
        (None, 17, Cause.BUSY),
        (0, 17, Cause.BUSY),
        (None, 19, Cause.NO_ANSWER),
        (0, 34, Cause.CONGESTION),
        (None, 38, Cause.CONGESTION),
        (0, 42, Cause.CONGESTION),
        (None, 1, Cause.FAILED),
        (None, None, Cause.FAILED),
    ],
)
def test_when_the_reason_says_nothing_the_hangup_cause_decides(
    reason: int | None, hangup: int | None, expected: Cause
) -> None:
    assert cause_of(unanswered(reason, hangup)) == expected


def test_a_machine_is_negative_even_when_the_whole_message_was_left() -> None:
    cause = cause_of(answered(amd="MACHINE", to_end=True))

    assert cause == Cause.MACHINE
    assert cause.outcome == Outcome.NEGATIVE


def test_the_operator_key_puts_the_customer_through() -> None:
    assert cause_of(answered(key="0")) == Cause.OPERATOR


def test_the_confirm_key_confirms() -> None:
    assert cause_of(answered(key="1", to_end=True)) == Cause.CONFIRMED


def test_the_keys_are_the_settings_ones() -> None:
    facts = answered(key="9")

    assert call_cause(facts, operator_key="9", confirm_key="5") == Cause.OPERATOR
    assert call_cause(facts, operator_key="0", confirm_key="9") == Cause.CONFIRMED


def test_heard_to_the_end_is_heard_and_anything_shorter_an_early_hangup() -> None:
    assert cause_of(answered(to_end=True)) == Cause.HEARD
    assert cause_of(answered(to_end=False)) == Cause.EARLY_HANGUP
    assert cause_of(answered(key="7", to_end=False)) == Cause.EARLY_HANGUP


def test_amd_not_sure_counts_as_a_person() -> None:
    facts = CallFacts(4, 16, "NOTSURE", "TOOLONG-5000", True, True, None)

    assert cause_of(facts) == Cause.HEARD


@pytest.mark.parametrize(
    ("amd_cause", "kind"),
    [
        ("HUMAN-800-800", "HUMAN"),
        ("MAXWORDS-3-2", "MAXWORDS"),
        ("LONGGREETING-1500-1500", "LONGGREETING"),
        ("INITIALSILENCE-2500-2500", "INITIALSILENCE"),
        ("TOOLONG-5000", "TOOLONG"),
        ("", ""),
        (None, ""),
    ],
)
def test_amd_cause_kind_is_its_prefix(amd_cause: str | None, kind: str) -> None:
    assert amd_cause_kind(amd_cause) == kind


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (0, "Unknown"),
        (16, "Normal Clearing"),
        (17, "User busy"),
        (19, "User alerting, no answer"),
        (34, "Circuit/channel congestion"),
        (38, "Network out of order"),
        (42, "Switching equipment congestion"),
        (250, "Unknown"),
    ],
)
def test_hangup_cause_texts_are_asterisks(code: int, text: str) -> None:
    assert hangup_cause_text(code) == text
