"""AMI framing: messages, the incremental decoder and the encoder. Pure, no I/O.

Asterisk writes CRLF-terminated ``Name: value`` lines; a blank line ends a message.
The banner ``Asterisk Call Manager/11.0.0`` is the one exception: a single line with
no blank line after it, followed directly by the first response.

The decoder buffers *bytes* and decodes a message only once it is complete, so a
multi-byte UTF-8 letter split across two TCP reads arrives intact.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Literal

from telephony.ami.errors import AmiProtocolError

BANNER_PREFIX = "Asterisk Call Manager/"
LINE_END = b"\r\n"
MESSAGE_END = b"\r\n\r\n"
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
"""A message larger than this means the peer is not speaking AMI: the decoder gives up."""
MAX_BANNER_BYTES = 1024
"""The banner is one short line (``Asterisk Call Manager/11.0.0``); a longer one is not AMI."""

MessageKind = Literal["response", "event", "action", "other"]
HeaderPairs = Iterable[tuple[str, str]]


class AmiMessage:
    """One AMI message: ordered headers, names may repeat, lookup ignores case."""

    __slots__ = ("_headers",)

    def __init__(self, headers: HeaderPairs) -> None:
        self._headers: tuple[tuple[str, str], ...] = tuple(headers)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> AmiMessage:
        return cls(_split_header(line) for line in lines)

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        return self._headers

    @property
    def kind(self) -> MessageKind:
        """Decided by the FIRST header: an ``OriginateResponse`` event also has ``Response:``."""
        if not self._headers:
            return "other"
        first = self._headers[0][0].lower()
        if first == "response":
            return "response"
        if first == "event":
            return "event"
        if first == "action":
            return "action"
        return "other"

    @property
    def name(self) -> str:
        """The Response value (Success, Error, Goodbye…), the Event name or the Action name."""
        return self._headers[0][1] if self._headers else ""

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of a header, or ``default``."""
        wanted = name.lower()
        for key, value in self._headers:
            if key.lower() == wanted:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        """Every value of a repeated header (``Output:`` of Command, ``Variable:``…)."""
        wanted = name.lower()
        return [value for key, value in self._headers if key.lower() == wanted]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AmiMessage) and self._headers == other._headers

    def __hash__(self) -> int:
        return hash(self._headers)

    def __repr__(self) -> str:
        return f"AmiMessage({list(self._headers)!r})"

    def lines(self) -> list[str]:
        return [f"{key}: {value}" for key, value in self._headers]


def _split_header(line: str) -> tuple[str, str]:
    """``Name: value``; the value keeps everything after the first colon and blanks."""
    name, _, value = line.partition(":")
    return name.strip(), value.lstrip(" \t")


class MessageReader:
    """Incremental decoder: feed raw bytes, get the messages completed so far.

    With ``expect_banner`` (the client side) the first line is taken as the banner
    when it starts with ``Asterisk Call Manager/``; it is exposed as :attr:`banner`.
    """

    def __init__(self, *, expect_banner: bool = True) -> None:
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer known to hold no message end
        self._awaiting_banner = expect_banner
        self.banner: str | None = None

    def feed(self, data: bytes) -> list[AmiMessage]:
        self._buffer += data
        messages: list[AmiMessage] = []
        if self._awaiting_banner and not self._take_banner():
            return messages
        start = 0
        while (end := self._buffer.find(MESSAGE_END, max(start, self._scanned))) >= 0:
            message = decode_message(bytes(self._buffer[start:end]))
            if message is not None:
                messages.append(message)
            start = end + len(MESSAGE_END)
        del self._buffer[:start]
        self._scanned = max(0, len(self._buffer) - len(MESSAGE_END) + 1)
        if len(self._buffer) > MAX_MESSAGE_BYTES:
            raise AmiProtocolError(f"no message end within {MAX_MESSAGE_BYTES} bytes")
        return messages

    def _take_banner(self) -> bool:
        if len(self._buffer) >= len(BANNER_PREFIX) and not self._buffer.startswith(
            BANNER_PREFIX.encode()
        ):
            self._awaiting_banner = False  # not a banner: treat as ordinary data
            return True
        end = self._buffer.find(LINE_END, 0, MAX_BANNER_BYTES)
        if end < 0:
            if len(self._buffer) >= MAX_BANNER_BYTES:
                raise AmiProtocolError(f"no end of the banner line within {MAX_BANNER_BYTES} bytes")
            return False
        line = self._buffer[:end].decode("utf-8", errors="replace")
        if line.startswith(BANNER_PREFIX):
            self.banner = line
            del self._buffer[: end + len(LINE_END)]
        self._awaiting_banner = False
        return True


def decode_message(raw: bytes) -> AmiMessage | None:
    """Decode one complete message (without its blank line); blank padding gives None."""
    text = raw.decode("utf-8", errors="replace")
    lines = [line for line in text.split("\r\n") if line]
    return AmiMessage.from_lines(lines) if lines else None


def encode_message(headers: HeaderPairs) -> bytes:
    """CRLF lines and the terminating blank line. A CR or LF inside a value is refused
    because it would let the value inject headers or whole actions."""
    out: list[str] = []
    for name, value in headers:
        if any(ch in name or ch in value for ch in "\r\n"):
            raise ValueError(f"line break inside AMI header {name!r}")
        out.append(f"{name}: {value}\r\n")
    out.append("\r\n")
    return "".join(out).encode("utf-8")


def encode_action(
    name: str,
    headers: HeaderPairs | Mapping[str, str] = (),
    action_id: str | None = None,
) -> bytes:
    """``Action:`` then ``ActionID:`` then the other headers, as Asterisk's own tools order them."""
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    first = [("Action", name)]
    if action_id is not None:
        first.append(("ActionID", action_id))
    return encode_message([*first, *pairs])
