"""Asterisk Manager Interface: a typed asyncio client, written against Asterisk 22.

Actions and events are typed in modules named after the protocol's two directions:
``actions.Originate(...)`` goes to Asterisk, ``events.OriginateResponse`` comes back
(the AMI reuses names across both, e.g. ``Hangup``).
"""

from telephony.ami import actions, events
from telephony.ami.client import AmiClient
from telephony.ami.errors import (
    AmiActionError,
    AmiAuthError,
    AmiDisconnected,
    AmiError,
    AmiProtocolError,
    AmiTimeout,
)
from telephony.ami.event_base import AmiEvent
from telephony.ami.events import OriginateReason, parse_event
from telephony.ami.member_events import MemberStatus
from telephony.ami.message import AmiMessage, MessageReader, encode_action, encode_message

__all__ = [
    "AmiActionError",
    "AmiAuthError",
    "AmiClient",
    "AmiDisconnected",
    "AmiError",
    "AmiEvent",
    "AmiMessage",
    "AmiProtocolError",
    "AmiTimeout",
    "MemberStatus",
    "MessageReader",
    "OriginateReason",
    "actions",
    "encode_action",
    "encode_message",
    "events",
    "parse_event",
]
