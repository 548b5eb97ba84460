"""Errors raised by the AMI layer."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telephony.ami.message import AmiMessage


class AmiError(Exception):
    """Base class of everything the AMI layer raises."""


class AmiProtocolError(AmiError):
    """The byte stream is not AMI (for example a message that never ends)."""


class AmiAuthError(AmiError):
    """Asterisk refused the Login (wrong username or secret); the client retries."""

    def __init__(self, username: str, reason: str) -> None:
        super().__init__(f"AMI login as {username!r}: {reason}")
        self.username = username
        self.reason = reason


class AmiActionError(AmiError):
    """Asterisk answered an action with ``Response: Error``."""

    def __init__(self, action: str, message: str, response: AmiMessage) -> None:
        super().__init__(f"{action} failed: {message}")
        self.action = action
        self.message = message
        self.response = response


class AmiTimeout(AmiError):
    """A reply or event did not come within its bound."""


class AmiDisconnected(AmiError):
    """The link is down (or went down while waiting); the outcome is unknown."""
