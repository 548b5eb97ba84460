"""CC-4's decisions: whom the desk's input names, and where the caller goes after each
leg of a transfer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.transfer import (
    Finished,
    Leg,
    LegOutcome,
    Members,
    Step,
    TargetError,
    TargetKind,
    Transfer,
    TransferState,
    after_leg,
    first_leg,
    leg_to_hang_up,
    resolve_target,
)

OLGA, PETR = "Local/olga@operators/n", "PJSIP/petr"
MEMBERS = Members({"olga": [OLGA], "petr": [PETR, "PJSIP/petr-2"]}, ["billing", "dispatch"])


def transfer(kind: TargetKind = TargetKind.OPERATOR, target: str = PETR) -> Transfer:
    at = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    return Transfer(1, "1.7", "billing", "olga", OLGA, kind, target, "olga", at)


def test_a_login_an_interface_or_a_queue_names_the_target() -> None:
    assert resolve_target("operator", " petr ", MEMBERS, OLGA) == PETR
    assert resolve_target("operator", "PJSIP/petr-2", MEMBERS, OLGA) == "PJSIP/petr-2"
    assert resolve_target("queue", "dispatch", MEMBERS, OLGA) == "dispatch"


@pytest.mark.parametrize(
    ("kind", "target", "reason"),
    [
        ("operator", "", "say whom"),
        ("operator", "boris", "no operator 'boris'"),
        ("operator", "PJSIP/boris", "no operator 'PJSIP/boris'"),
        ("operator", "olga", "yours already"),
        ("operator", OLGA, "yours already"),
        ("queue", "petr", "no queue 'petr'"),
        ("fax", "petr", "not 'fax'"),
    ],
)
def test_what_names_nobody_else_is_refused_with_the_reason(
    kind: str, target: str, reason: str
) -> None:
    with pytest.raises(TargetError, match=reason):
        resolve_target(kind, target, MEMBERS, OLGA)


def test_an_unanswered_specialist_sends_the_call_back_then_into_the_queue() -> None:
    asked = transfer()
    leg = first_leg(asked)
    assert leg == Leg(Step.TARGET, "Dial", PETR)
    back = after_leg(asked, leg, LegOutcome(answered=False, caller_present=True))
    assert back == Leg(Step.BACK, "Dial", OLGA)
    assert after_leg(asked, back, LegOutcome(True, True, OLGA)) == Finished(
        TransferState.RETURNED, OLGA
    )
    requeued = after_leg(asked, back, LegOutcome(False, True))
    assert isinstance(requeued, Finished) and requeued.requeue
    assert requeued.state is TransferState.RETURNED_UNANSWERED


def test_an_answer_ends_the_transfer_with_who_answered() -> None:
    to_queue = transfer(TargetKind.QUEUE, "dispatch")
    leg = first_leg(to_queue)
    assert leg == Leg(Step.TARGET, "Queue", "dispatch")
    done = after_leg(to_queue, leg, LegOutcome(True, False, "PJSIP/anna"))
    assert done == Finished(TransferState.ANSWERED, "PJSIP/anna") and not done.requeue


@pytest.mark.parametrize("step", [Step.TARGET, Step.BACK])
def test_a_caller_who_left_while_it_rang_ends_it(step: Step) -> None:
    leg = Leg(step, "Dial", PETR)
    assert after_leg(transfer(), leg, LegOutcome(False, False)) == Finished(
        TransferState.CALLER_LEFT
    )


def test_a_local_members_leg_is_ended_by_its_second_half() -> None:
    assert leg_to_hang_up("Local/olga@operators-0000002b;1") == "Local/olga@operators-0000002b;2"
    assert leg_to_hang_up("PJSIP/olga-0000002b") == "PJSIP/olga-0000002b"
