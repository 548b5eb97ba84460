"""What a sender of SMS, e-mail or cabinet notices reports back (AD-4, AD-9).

A server that refuses the message or cannot be reached is an outcome, not an error: the
attempt is closed with it and the retry rules decide what follows. Only a sender that
is set up wrongly raises :class:`SendError`."""

from __future__ import annotations

from dataclasses import dataclass, field

from autodialer.model import Cause


@dataclass(frozen=True)
class Sent:
    cause: Cause | None
    """ACCEPTED, DELIVERED, UNDELIVERED or REJECTED; None when the SMSC took the message
    and its delivery receipt will decide."""
    details: dict[str, str] = field(default_factory=dict)
    """The evidence kept with the attempt: the server's reply, message ids, segments,
    encoding, times, and ``reason`` when it did not go."""
    references: tuple[str, ...] = ()
    """The SMSC's message ids, one per part: its receipts name them."""


class SendError(Exception):
    """The sender is set up wrongly (no address, a bad setting): nothing can be sent."""
