"""A local SMSC on 127.0.0.1 for tests: binds transceivers, answers ``submit_sm`` with message
ids, keeps every part as it arrived, sends delivery receipts and can refuse a number.

Its PDUs go through smpp34's codec; the listener is its own, because smpp34's ``Server``
cannot listen on port 0 (it never says which port it got) nor cut a session's TCP link
the way a failing SMSC does. Texts are decoded here with the GSM 03.38 table written out
below, not with the code under test."""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass, field
from itertools import count

import smpp34

BIND_TRANSCEIVER = 0x00000009
SUBMIT_SM = 0x00000004
DELIVER_SM_RESP = 0x80000005
UNBIND = 0x00000006
ENQUIRE_LINK = 0x00000015
RESPONSE = 0x80000000
GENERIC_NACK = 0x80000000
ESME_RINVPASWD = 0x0000000E
ESME_RINVDSTADR = 0x0000000B
ESME_RINVCMDID = 0x00000003

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = {
    0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
    0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€",
}  # fmt: skip


def decode_gsm(octets: bytes) -> str:
    """GSM 03.38, one septet per octet, as SMPP carries it with data_coding 0."""
    text: list[str] = []
    escaped = False
    for octet in octets:
        if escaped:
            text.append(GSM_EXTENSION[octet])
            escaped = False
        elif octet == 0x1B:
            escaped = True
        else:
            text.append(GSM_BASIC[octet])
    assert not escaped, "an escape with no character after it"
    return "".join(text)


@dataclass(frozen=True)
class Part:
    """One ``submit_sm`` as it arrived."""

    destination: str
    source: str
    data_coding: int
    esm_class: int
    registered_delivery: int
    udh: bytes
    octets: bytes
    """The short message after the UDH, as sent."""
    message_id: str

    @property
    def text(self) -> str:
        return decode_gsm(self.octets) if self.data_coding == 0 else self.octets.decode("utf-16-be")


@dataclass
class _Session:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    bound: bool = False
    acknowledged: dict[int, asyncio.Future[int]] = field(default_factory=dict)


class Smsc:
    def __init__(self, system_id: str = "callgrid", password: str = "secret") -> None:
        self.system_id, self.password = system_id, password
        self.parts: list[Part] = []
        self.refused: set[str] = set()
        self.silent = False
        """When set, ``submit_sm`` gets no answer at all."""
        self.binds = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._sessions: list[_Session] = []
        self._ids = count(1001)
        self._sequence = count(1)

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """The SMSC goes down: no more connections, every session cut."""
        if self._server is not None:
            self._server.close()
        self.drop()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    def drop(self) -> None:
        """Cut every session's TCP link, as a failing SMSC or network does."""
        for session in self._sessions:
            session.writer.transport.abort()
        self._sessions.clear()

    @property
    def bound_sessions(self) -> int:
        return sum(session.bound for session in self._sessions)

    async def send_receipt(self, message_id: str, delivered: bool = True) -> int:
        """A delivery receipt for ``message_id`` to the bound session; returns the
        ``command_status`` of the ``deliver_sm_resp``."""
        part = next(part for part in self.parts if part.message_id == message_id)
        status = "DELIVRD" if delivered else "UNDELIV"
        text = (
            f"id:{message_id} sub:001 dlvrd:{int(delivered):03d} submit date:2611021000 "
            f"done date:2611021001 stat:{status} err:{0 if delivered else 1:03d} text:"
        )
        session = next(session for session in self._sessions if session.bound)
        sequence = next(self._sequence)
        pdu = smpp34.DeliverSm(
            source_addr=part.destination,
            destination_addr=part.source,
            short_message=text.encode("ascii"),
            esm_class=0x04,
            sequence_number=sequence,
        )
        answered: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        session.acknowledged[sequence] = answered
        session.writer.write(pdu.encode())
        return await asyncio.wait_for(answered, 5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Session(reader, writer)
        self._sessions.append(session)
        try:
            while True:
                length = struct.unpack("!I", await reader.readexactly(4))[0]
                data = struct.pack("!I", length) + await reader.readexactly(length - 4)
                if not await self._answer(session, data):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if session in self._sessions:
                self._sessions.remove(session)
            writer.close()

    async def _answer(self, session: _Session, data: bytes) -> bool:
        pdu = smpp34.decode(data)
        if isinstance(pdu, smpp34.SubmitSm):
            self._submitted(session, pdu)
        elif isinstance(pdu, smpp34.RawPdu):
            command = pdu.command_id
            if command == BIND_TRANSCEIVER:
                system_id, password = _c_strings(pdu.body, 2)
                ok = (system_id, password) == (self.system_id, self.password)
                session.bound = ok
                self.binds += ok
                status = 0 if ok else ESME_RINVPASWD
                _reply(session, command, pdu.sequence_number, status, b"TESTSMSC\0")
            elif command == ENQUIRE_LINK:
                _reply(session, command, pdu.sequence_number)
            elif command == UNBIND:
                _reply(session, command, pdu.sequence_number)
                await session.writer.drain()
                return False
            elif command == DELIVER_SM_RESP:
                answered = session.acknowledged.pop(pdu.sequence_number, None)
                if answered is not None:
                    answered.set_result(pdu.command_status)
            else:
                _reply(session, GENERIC_NACK, pdu.sequence_number, ESME_RINVCMDID)
        await session.writer.drain()
        return True

    def _submitted(self, session: _Session, pdu: smpp34.SubmitSm) -> None:
        if self.silent:
            return
        if pdu.destination_addr in self.refused:
            _reply(session, SUBMIT_SM, pdu.sequence_number, ESME_RINVDSTADR)
            return
        message = pdu.short_message
        udh = message[: message[0] + 1] if pdu.esm_class & 0x40 else b""
        message_id = f"M{next(self._ids)}"
        self.parts.append(
            Part(
                destination=pdu.destination_addr,
                source=pdu.source_addr,
                data_coding=pdu.data_coding,
                esm_class=pdu.esm_class,
                registered_delivery=pdu.registered_delivery,
                udh=udh,
                octets=message[len(udh) :],
                message_id=message_id,
            )
        )
        body = message_id.encode("ascii") + b"\0"
        _reply(session, SUBMIT_SM, pdu.sequence_number, 0, body)


def _reply(
    session: _Session, command: int, sequence: int, status: int = 0, body: bytes = b""
) -> None:
    """The response to ``command``; an error response carries no body (SMPP 3.4, 4.4.2)."""
    body = body if status == 0 else b""
    header = struct.pack("!IIII", 16 + len(body), command | RESPONSE, status, sequence)
    session.writer.write(header + body)


def _c_strings(body: bytes, number: int) -> list[str]:
    return [value.decode("ascii") for value in body.split(b"\0")[:number]]
