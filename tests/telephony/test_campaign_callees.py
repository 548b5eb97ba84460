"""Callee behaviours of the emulated autoinformer calls: drawn from validated shares, the
same for a number on every attempt unless the ``changes`` share redraws them; and the
steps the emulator models of [callgrid-campaign] are those of the shipped file."""

from __future__ import annotations

from collections import Counter

import pytest

from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.campaign_callees import (
    BEHAVIOURS,
    MACHINES,
    PERSON,
    CalleeShares,
    dialled_number,
)
from telephony.emulator.campaign_dialplan import (
    AGI_PRIORITY,
    AMD_PRIORITY,
    ATTEMPT_VARIABLE,
    CAMPAIGN_CONTEXT,
    ENGINES_CONTEXT,
    GOSUB_PRIORITY,
    HANGUP_PRIORITY,
    SCRIPT,
)
from tests.test_asterisk_conf import _context


def test_shares_name_what_is_wrong_with_them() -> None:
    with pytest.raises(ValueError, match="'answer_machine'"):
        CalleeShares({"listen": 1, "answer_machine": 1})
    with pytest.raises(ValueError, match="'busy'"):
        CalleeShares({"listen": 1, "busy": -0.5})
    with pytest.raises(ValueError, match="positive"):
        CalleeShares({"listen": 0})
    with pytest.raises(ValueError, match="'changes'"):
        CalleeShares({"listen": 1}, changes=1.5)
    with pytest.raises(ValueError, match="'hangup'"):
        AmiEmulator(callees={"hangup": 1})
    with pytest.raises(ValueError, match="'changes'"):
        AmiEmulator(callees={"listen": 1, "changes": -0.1})
    assert CalleeShares.of({"listen": 1, "changes": 0.25}).changes == 0.25


def test_shares_over_many_numbers_come_out_near_their_weights() -> None:
    weights = {"listen": 5, "machine": 2, "busy": 1, "noanswer": 1, "failed": 1}
    shares = CalleeShares(weights, seed=7)

    drawn = Counter(shares.behaviour(f"7913{n:07d}") for n in range(5000))

    assert set(drawn) == set(weights)
    for name, weight in weights.items():
        assert abs(drawn[name] / 5000 - weight / 10) < 0.02, (name, drawn)


def test_a_number_behaves_the_same_on_every_attempt_unless_it_changes() -> None:
    numbers = [f"7913{n:07d}" for n in range(300)]
    even = dict.fromkeys(BEHAVIOURS, 1.0)
    steady, changing = CalleeShares(even), CalleeShares(even, changes=0.5)

    assert all(len({steady.behaviour(n, a) for a in range(6)}) == 1 for n in numbers)
    redrawn = sum(changing.behaviour(n, 1) != changing.behaviour(n, 0) for n in numbers)
    assert 0.3 < redrawn / 300 < 0.6  # half are redrawn, 8 in 9 of those to another
    assert [changing.behaviour(n, 3) for n in numbers] == [
        CalleeShares(even, changes=0.5).behaviour(n, 3) for n in numbers
    ]


def test_persons_and_machines_get_amd_results_as_app_amd_formats_them() -> None:
    shares = CalleeShares(dict.fromkeys(BEHAVIOURS, 1.0))

    machines = {shares.callee_as(f"7913{n:07d}", "machine").amd for n in range(50)}
    person = shares.callee_as("79130000001", "confirm")

    assert machines == set(MACHINES)
    assert {amd.cause.split("-")[0] for amd in MACHINES} == {
        "LONGGREETING",
        "MAXWORDS",
        "INITIALSILENCE",
    }
    assert person.amd == PERSON and PERSON.cause == "HUMAN-800-800"
    assert shares.callee_as("79130000001", "busy").outcome == "busy"
    assert shares.callee_as("79130000001", "failed").outcome == "nonexistent"


@pytest.mark.parametrize(
    ("dial_string", "number"),
    [
        ("PJSIP/79131234567@callgrid-trunk", "79131234567"),
        ("Local/79131234567@customers/n", "79131234567"),
        ("PJSIP/trunk/sip:+79131234567@10.0.0.1", "+79131234567"),
        ("SIP/operator", "operator"),
    ],
)
def test_the_number_is_read_from_the_dial_string(dial_string: str, number: str) -> None:
    assert dialled_number(dial_string) == number


def applications(context: str) -> list[str]:
    """The applications of a context's ``s`` extension, priority 1 first."""
    lines = [line.strip() for line in _context(context).splitlines()]
    steps = [line for line in lines if line.startswith(("exten => s,", "same => n"))]
    return [
        step.split(",", 2)[-1] if step.startswith("exten") else step.split(",", 1)[1]
        for step in steps
    ]


def test_the_model_follows_the_shipped_campaign_context() -> None:
    campaign, engines = applications(CAMPAIGN_CONTEXT), applications(ENGINES_CONTEXT)

    assert campaign[AMD_PRIORITY - 1] == "AMD()"
    gosub = f"Gosub({ENGINES_CONTEXT},s,1({SCRIPT}?attempt=${{{ATTEMPT_VARIABLE}}}))"
    assert campaign[GOSUB_PRIORITY - 1] == gosub
    assert campaign[HANGUP_PRIORITY - 1] == "Hangup()"
    assert engines[AGI_PRIORITY - 1].startswith("AGI(")
