"""Errors raised by the FastAGI layer."""

from __future__ import annotations


class AgiError(Exception):
    """Base class of everything the FastAGI layer raises."""


class CallHungUp(AgiError):
    """The caller is gone: Asterisk said HANGUP, answered 511, or closed the socket."""


class AgiCommandError(AgiError):
    """Asterisk refused a command: 510 (unknown command) or 520 (usage error)."""

    def __init__(self, command: str, code: int, text: str) -> None:
        super().__init__(f"{command!r} refused with {code}: {text}")
        self.command = command
        self.code = code
        self.text = text


class AgiProtocolError(AgiError):
    """Asterisk sent a line that is not a FastAGI reply."""


class AgiTimeout(AgiError):
    """A reply did not come within its bound; the connection is closed."""


class PromptMissing(AgiError):
    """Asterisk could not find a sound file (STREAM FILE answered -1 on a live channel)."""
