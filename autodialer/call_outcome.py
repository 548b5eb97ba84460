"""What a campaign call came to, from what Asterisk said of it (AD-7, AD-9). Pure.

The facts come from three places: the ``OriginateResponse`` (its ``Reason``), the
``Hangup`` of the dialled channel (its ``Cause``), and the call's FastAGI session
(AMDSTATUS/AMDCAUSE, the key pressed, whether the message played to its end).

Reason and cause are read as Asterisk itself maps them (``pbx_dial_reason`` in
main/pbx.c): busy 17 gives Reason 5, causes 21/27/34/38/41/42 give congestion (8),
19/26 a phone that rang (3), anything else failure (0). A call that never reached
``Reason`` (its OriginateResponse was lost) is judged by the cause alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from autodialer.model import Cause

BY_REASON = {5: Cause.BUSY, 3: Cause.NO_ANSWER, 8: Cause.CONGESTION, 1: Cause.NO_ANSWER}
"""OriginateResponse ``Reason`` of an unanswered call; 1: hung up while it rang."""
BY_HANGUP_CAUSE = {
    17: Cause.BUSY,
    19: Cause.NO_ANSWER,
    26: Cause.NO_ANSWER,
    21: Cause.CONGESTION,
    27: Cause.CONGESTION,
    34: Cause.CONGESTION,
    38: Cause.CONGESTION,
    41: Cause.CONGESTION,
    42: Cause.CONGESTION,
}
"""Q.850 cause of the hangup, for a call whose Reason says nothing clear (0 or none)."""
MACHINE = "MACHINE"

Q850_TEXTS = {
    0: "Unknown",
    1: "Unallocated (unassigned) number",
    2: "No route to specified transmit network",
    3: "No route to destination",
    5: "Misdialed trunk prefix",
    6: "Channel unacceptable",
    7: "Call awarded and being delivered in an established channel",
    8: "Pre-empted",
    14: "Number ported elsewhere",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    20: "Subscriber absent",
    21: "Call Rejected",
    22: "Number changed",
    23: "Redirected to new destination",
    26: "Answered elsewhere",
    27: "Destination out of order",
    28: "Invalid number format",
    29: "Facility rejected",
    30: "Response to STATus ENQuiry",
    31: "Normal, unspecified",
    34: "Circuit/channel congestion",
    38: "Network out of order",
    41: "Temporary failure",
    42: "Switching equipment congestion",
    43: "Access information discarded",
    44: "Requested channel not available",
    50: "Facility not subscribed",
    52: "Outgoing call barred",
    54: "Incoming call barred",
    57: "Bearer capability not authorized",
    58: "Bearer capability not available",
    65: "Bearer capability not implemented",
    66: "Channel not implemented",
    69: "Facility not implemented",
    81: "Invalid call reference value",
    88: "Incompatible destination",
    95: "Invalid message unspecified",
    96: "Mandatory information element is missing",
    97: "Message type nonexist.",
    98: "Wrong message",
    99: "Info. element nonexist or not implemented",
    100: "Invalid information element contents",
    101: "Message not compatible with call state",
    102: "Recover on timer expiry",
    103: "Mandatory IE length error",
    111: "Protocol error, unspecified",
    127: "Interworking, unspecified",
}
"""The ``Cause-txt`` Asterisk 22 writes for each cause (main/channel.c); others: Unknown."""


@dataclass(frozen=True)
class CallFacts:
    originate_reason: int | None
    """``Reason`` of the OriginateResponse; None when it never came."""
    hangup_cause: int | None
    """``Cause`` of the dialled channel's Hangup event."""
    amd_status: str | None
    """AMDSTATUS: MACHINE, HUMAN, NOTSURE or HANGUP."""
    amd_cause: str | None
    answered: bool
    played_to_end: bool
    """The message played to its end (STREAM FILE ``result=0``, no hangup during it)."""
    key: str | None
    """The key that stopped the message, if any."""


def call_cause(facts: CallFacts, *, operator_key: str, confirm_key: str) -> Cause:
    """Why the call ended as it did. An answering machine is negative even when the whole
    message was left on it: nobody is known to have heard it."""
    if not facts.answered:
        return _unanswered(facts)
    if facts.amd_status == MACHINE:
        return Cause.MACHINE
    if facts.key is not None and facts.key == operator_key:
        return Cause.OPERATOR
    if facts.key is not None and facts.key == confirm_key:
        return Cause.CONFIRMED
    if facts.played_to_end:
        return Cause.HEARD
    return Cause.EARLY_HANGUP


def _unanswered(facts: CallFacts) -> Cause:
    by_reason = BY_REASON.get(facts.originate_reason) if facts.originate_reason else None
    if by_reason is not None:
        return by_reason
    if facts.hangup_cause is not None:
        return BY_HANGUP_CAUSE.get(facts.hangup_cause, Cause.FAILED)
    return Cause.FAILED


def amd_cause_kind(amd_cause: str | None) -> str:
    """The kind of an AMDCAUSE: ``LONGGREETING-1500-1500`` -> ``LONGGREETING``."""
    return (amd_cause or "").strip().split("-", 1)[0]


def hangup_cause_text(code: int) -> str:
    """The Q.850 cause as Asterisk names it in ``Cause-txt``: 16 -> ``Normal Clearing``."""
    return Q850_TEXTS.get(code, "Unknown")
