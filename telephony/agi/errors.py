"""Errors raised by the FastAGI layer."""

from __future__ import annotations


class AgiError(Exception):
    """Base class of everything the FastAGI layer raises."""


class CallHungUp(AgiError):
    """The caller is gone: Asterisk said HANGUP, answered 511, or closed the socket."""


class CallHandedBack(AgiError):
    """The engine is shutting down and gave the call back to the dialplan, which goes on
    after ``AGI()``: raised instead of sending the next command once a hand-back was
    asked for (see :meth:`AgiCall.hand_back`)."""


class AgiCommandError(AgiError):
    """Asterisk refused a command: 510 (unknown command) or 520 (usage error)."""

    def __init__(self, command: str, code: int, text: str) -> None:
        super().__init__(f"{command!r} refused with {code}: {text}")
        self.command = command
        self.code = code
        self.text = text


class AgiProtocolError(AgiError):
    """The peer sent what is not FastAGI (a line that is no reply, one over the 64 KB
    line limit): the replies are out of step, so the connection is closed. Not a
    hangup: the caller may still be on the line."""


class AgiTimeout(AgiError):
    """A reply did not come within its bound; the connection is closed."""


class PromptMissing(AgiError):
    """Asterisk could not find a sound file (STREAM FILE answered -1 on a live channel)."""
