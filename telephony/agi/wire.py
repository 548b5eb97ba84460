"""Reading FastAGI lines off the socket, with a bound on their length."""

from __future__ import annotations

import asyncio

from telephony.agi.errors import AgiProtocolError

# The StreamReader limit the server sets: no line Asterisk sends comes near it.
LINE_LIMIT = 1 << 16
QUOTED_BYTES = 40
"""How much of an overlong line its error quotes."""


async def read_line(reader: asyncio.StreamReader) -> str | None:
    """The next line without its LF (and CR), or None when the peer closed first.

    A line longer than the reader's limit raises :class:`AgiProtocolError`, which quotes
    the start of the line (so a log can say which one it was): what follows it cannot be
    trusted to be in step, so the connection has to go.
    """
    try:
        raw = await reader.readuntil(b"\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    except asyncio.LimitOverrunError as error:
        start = await reader.readexactly(min(error.consumed, QUOTED_BYTES))
        raise AgiProtocolError(
            f"a line longer than {LINE_LIMIT // 1024} KB, the FastAGI line limit: "
            f"{start.decode('utf-8', errors='replace')!r}…"
        ) from None
    return raw[:-1].decode("utf-8", errors="replace").rstrip("\r")
