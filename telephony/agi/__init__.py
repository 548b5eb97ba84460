"""FastAGI: the server Asterisk connects to, and the typed call it hands over."""

from telephony.agi.arguments import argument, quote
from telephony.agi.call import AgiCall, DigitInput, Playback, Recording
from telephony.agi.environment import AgiEnvironment, parse_environment
from telephony.agi.errors import (
    AgiCommandError,
    AgiError,
    AgiProtocolError,
    AgiTimeout,
    CallHandedBack,
    CallHungUp,
    PromptMissing,
)
from telephony.agi.replies import AgiReply, parse_success
from telephony.agi.server import CallHandler, FastAgiServer

__all__ = [
    "AgiCall",
    "AgiCommandError",
    "AgiEnvironment",
    "AgiError",
    "AgiProtocolError",
    "AgiReply",
    "AgiTimeout",
    "CallHandedBack",
    "CallHandler",
    "CallHungUp",
    "DigitInput",
    "FastAgiServer",
    "Playback",
    "PromptMissing",
    "Recording",
    "argument",
    "parse_environment",
    "parse_success",
    "quote",
]
