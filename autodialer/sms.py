"""SMS through an SMSC over SMPP 3.4 (AD-4, AD-7): submit, and delivery receipts back.

The text is counted and split here (:mod:`autodialer.sms_segments`), not by the SMPP
library: each part goes in its own ``submit_sm`` with a concatenation header (UDH, 8-bit
reference), data_coding 0 for GSM-7 or 8 for UCS-2, and a delivery receipt asked for. The
SMSC's ``submit_sm_resp`` gives each part a message id; its receipts (``deliver_sm``) name
those ids and go to ``on_receipt``. A message counts as delivered when every part is.

The session is aiosmpplib's ESME, bound as a transceiver; it answers every ``deliver_sm``
once ``on_receipt`` has returned, and binds again with a growing, bounded pause when the
SMSC drops it. A message is never queued while unbound: it comes back UNDELIVERED, and
the campaign's retry rules decide when it goes again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from aiosmpplib import (  # type: ignore[import-untyped]
    ESME,
    NPI,
    TON,
    AbstractBroker,
    AbstractHook,
    AbstractRetryTimer,
    BindMode,
    BindTransceiverResp,
    DeliverSm,
    GenericNack,
    PhoneNumber,
    SmppCommandStatus,
    SmppSessionState,
    SubmitSm,
    SubmitSmResp,
)

from autodialer.model import Cause
from autodialer.sending import SendError, Sent
from autodialer.sms_receipts import SmsReceipt, parse_receipt
from autodialer.sms_segments import split_sms
from worktime.clock import Clock

log = logging.getLogger(__name__)

CONCATENATED = 0x40
"""esm_class: the short message starts with a user data header."""
DATA_CODING = {"gsm7": "gsm0338", "ucs2": "ucs2"}
TEMPORARY_STATUSES = {0x08: "ESME_RSYSERR", 0x14: "ESME_RMSGQFUL", 0x58: "ESME_RTHROTTLED"}
"""Refusals that say "not now" rather than "not this message": undelivered, tried again."""
ALPHANUMERIC_SENDER_LENGTH = 11
BIND_TRANSCEIVER_RESP = (0x80000009).to_bytes(4)


def sms_number(number: str) -> str | None:
    """The number as the SMSC takes it, 11 digits starting with 7 (8… becomes 7…), or None."""
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        return None
    if number[0] == "8":
        return "7" + number[1:]
    return number if number[0] == "7" else None


def reconnect_delay(failures: int, first: float, longest: float) -> float:
    """The pause before the next bind: ``first`` after a drop, doubling up to ``longest``."""
    return float(min(first * 2 ** min(failures, 30), longest))


@dataclass(frozen=True)
class _Refusal:
    cause: Cause
    reason: str
    status: str = ""


class SmppSender:
    def __init__(
        self,
        host: str,
        port: int,
        system_id: str,
        password: str,
        source_address: str,
        on_receipt: Callable[[SmsReceipt], Awaitable[None]],
        clock: Clock,
        *,
        timeout: float = 10.0,
        reconnect_delays: tuple[float, float] = (1.0, 60.0),
    ) -> None:
        """``timeout`` bounds the first bind in :meth:`start` and each ``submit_sm_resp``;
        ``reconnect_delays`` is the first and the longest pause between binds."""
        if not host:
            raise SendError("no SMSC host is set")
        if not system_id or len(system_id) > 15 or len(password) > 8:
            raise SendError("SMPP allows a system_id of 1–15 characters and a password of ≤ 8")
        self.host, self.port = host, port
        self._system_id, self._password = system_id, password
        self._source = _source_number(source_address)
        self._on_receipt = on_receipt
        self._clock = clock
        self._timeout = timeout
        self._delays = reconnect_delays
        self._esme: Any = None
        self._task: asyncio.Task[None] | None = None
        self._outbox = _Outbox()
        self._answers: dict[str, asyncio.Future[Any]] = {}
        self._by_sequence: dict[int, str] = {}
        self._concatenation = random.randrange(256)
        self._attempted = asyncio.Event()
        self._failures = 0
        self._problem = "not started"
        self._refusal = ""
        self._closing = False

    @property
    def connected(self) -> bool:
        return (
            self._esme is not None
            and self._esme.session_state == SmppSessionState.BOUND_TRX
            and not self._problem
        )

    async def start(self) -> None:
        """Bind, waiting at most ``timeout`` for the first answer; an SMSC that is down is
        no error (messages come back UNDELIVERED while it is, and the bind is retried)."""
        self._problem = "no answer to the bind yet"
        self._esme = ESME(
            smsc_host=self.host,
            smsc_port=self.port,
            system_id=self._system_id,
            password=self._password,
            bind_mode=BindMode.TRANSCEIVER,
            enquire_link_interval=30.0,
            socket_timeout=float(self._timeout),
            default_encoding="latin_1",  # receipts come in data_coding 0 as plain ASCII
            log_level="WARNING",
            log_handler=logging.NullHandler(),
            hook=_Hook(self),
            broker=self._outbox,
            retry_timer=_Reconnection(self),
        )
        self._task = asyncio.create_task(self._esme.start(), name="smpp-session")
        with suppress(TimeoutError):
            await asyncio.wait_for(self._attempted.wait(), self._timeout)

    async def close(self) -> None:
        """Unbind and stop.

        aiosmpplib drops its only reference to the socket's writer while it unbinds, and
        on Python 3.11 a writer that is collected closes the socket: the SMSC's
        ``unbind_resp`` would be lost and the ESME would wait on its idle tasks. The
        writer is held here until the unbind is over; once the answer is in, the outbox
        is shut, which ends the ESME's sending task at once."""
        self._problem = "the sender is closed"
        self._fail_waiting()
        self._closing = True
        if self._esme is not None and self._task is not None:
            writer = getattr(self._esme, "_writer", None)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._esme.stop(), self._timeout)
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            if writer is not None:
                writer.close()
        self._esme = self._task = None

    async def send(self, number: str, text: str, reference: str) -> Sent:
        msisdn = sms_number(number)
        if msisdn is None:
            return Sent(Cause.REJECTED, {"reason": f"not an SMS number: {number!r}"})
        split = split_sms(text)
        if not split.parts:
            return Sent(Cause.REJECTED, {"reason": "the message is empty"})
        details = {
            "number": msisdn,
            "reference": reference,
            "encoding": split.encoding,
            "segments": str(split.segments),
        }
        if not self.connected:
            reason = f"not bound to the SMSC at {self.host}:{self.port}: {self._problem}"
            return Sent(Cause.UNDELIVERED, details | {"reason": reason})
        self._concatenation = (self._concatenation + 1) % 256
        ids: list[str] = []
        times: list[str] = []
        payloads = zip(split.parts, split.encoded_parts(), strict=True)
        for index, (part, payload) in enumerate(payloads, start=1):
            header = b""
            if split.segments > 1:
                header = bytes((5, 0, 3, self._concatenation, split.segments, index))
            times.append(self._clock().isoformat())
            answer = await self._submit(msisdn, part, header, payload, split.encoding)
            if isinstance(answer, _Refusal):
                details |= _evidence(ids, times) | {"reason": f"part {index}: {answer.reason}"}
                if answer.status:
                    details["smsc_status"] = answer.status
                return Sent(answer.cause, details, tuple(ids))
            ids.append(answer)
        return Sent(None, details | _evidence(ids, times), tuple(ids))

    async def _submit(
        self, msisdn: str, part: str, header: bytes, payload: bytes, encoding: str
    ) -> str | _Refusal:
        token = uuid.uuid4().hex
        message = SubmitSm(
            short_message=part,
            source=self._source,
            destination=PhoneNumber(msisdn, TON.INTERNATIONAL, NPI.ISDN),
            esm_class=CONCATENATED if header else 0,
            registered_delivery=1,
            encoding=DATA_CODING[encoding],
            log_id=token,
        )
        message.set_encoded_message(header + payload)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._answers[token] = answer
        try:
            self._outbox.put(message)
            reply = await asyncio.wait_for(answer, self._timeout)
        except TimeoutError:
            return _Refusal(Cause.UNDELIVERED, f"no answer from the SMSC in {self._timeout:g} s")
        except ConnectionError as error:
            return _Refusal(Cause.UNDELIVERED, str(error))
        finally:
            self._answers.pop(token, None)
        return _judge(reply)

    def _sending(self, message: Any) -> None:
        if isinstance(message, SubmitSm):
            self._by_sequence[message.sequence_num] = message.log_id

    async def _received(self, message: Any, pdu: bytes) -> None:
        if self._closing:
            self._outbox.shut()
        if message is None and pdu[4:8] == BIND_TRANSCEIVER_RESP:
            self._bound(int.from_bytes(pdu[8:12]))
        elif isinstance(message, BindTransceiverResp):
            self._bound(int(message.command_status))
        elif isinstance(message, SubmitSmResp | GenericNack):
            token = self._by_sequence.pop(message.sequence_num, "")
            answer = self._answers.get(token)
            if answer is not None and not answer.done():
                answer.set_result(message)
        elif isinstance(message, DeliverSm):
            await self._deliver(message)

    def _bound(self, status: int) -> None:
        """The bind's answer. A refusal carries no body (SMPP 3.4, 4.1): aiosmpplib then
        cannot parse it and hands over only the PDU, whose header holds the status."""
        if status == 0:
            self._failures, self._problem, self._refusal = 0, "", ""
            self._attempted.set()
        else:
            self._refusal = f"the SMSC refused the bind ({_status_name(status)})"

    async def _deliver(self, message: Any) -> None:
        receipt = parse_receipt(str(message.short_message or message.message_payload))
        if receipt is None:
            log.info("an SMS from %s that is not a delivery receipt is ignored", message.source)
            return
        try:
            await self._on_receipt(receipt)
        except Exception:
            log.exception("the receipt for SMS %s was not taken", receipt.message_id)

    def _send_failed(self, message: Any, error: Exception) -> None:
        answer = self._answers.get(str(getattr(message, "log_id", "")))
        if answer is not None and not answer.done():
            answer.set_exception(ConnectionError(f"the SMS could not be written: {error!r}"))

    def _session_ended(self) -> None:
        """The session is down, or did not come up: say why for the next sends. The lost
        socket is closed here; aiosmpplib would leave it to the garbage collector."""
        if not self._problem:
            self._problem = "the connection to the SMSC was lost"
        else:
            self._problem = self._refusal or f"cannot connect to {self.host}:{self.port}"
        self._refusal = ""
        self._fail_waiting()
        self._attempted.set()
        writer = getattr(self._esme, "_writer", None)
        if writer is not None:
            writer.close()

    def _fail_waiting(self) -> None:
        """Whatever waits for an answer fails now, and nothing left in the outbox goes out
        later behind the campaign's back."""
        for answer in self._answers.values():
            if not answer.done():
                answer.set_exception(ConnectionError(f"the SMSC session ended: {self._problem}"))
        self._outbox.clear()
        self._by_sequence.clear()

    def _next_delay(self) -> float:
        delay = reconnect_delay(self._failures, *self._delays)
        self._failures += 1
        return delay


def _judge(reply: Any) -> str | _Refusal:
    """A ``submit_sm_resp`` (or ``generic_nack``): the message id, or why not."""
    status = int(reply.command_status)
    name = _status_name(status)
    if isinstance(reply, GenericNack):
        return _Refusal(Cause.UNDELIVERED, f"the SMSC did not take the PDU ({name})", name)
    if status == 0:
        return str(reply.message_id)
    if status in TEMPORARY_STATUSES:
        return _Refusal(Cause.UNDELIVERED, f"the SMSC cannot take it now ({name})", name)
    return _Refusal(Cause.REJECTED, f"the SMSC refused it ({name})", name)


def _status_name(status: int) -> str:
    try:
        return str(SmppCommandStatus(status).name)
    except ValueError:
        return f"0x{status:08X}"


def _evidence(ids: list[str], times: list[str]) -> dict[str, str]:
    return {"message_ids": " ".join(ids), "submitted_at": " ".join(times)}


def _source_number(address: str) -> PhoneNumber:
    if address.isascii() and address.isdigit() and len(address) <= 15:
        return PhoneNumber(address, TON.INTERNATIONAL, NPI.ISDN)
    if address and len(address) <= ALPHANUMERIC_SENDER_LENGTH and address.isascii():
        return PhoneNumber(address, TON.ALPHANUMERIC, NPI.UNKNOWN)
    raise SendError(
        f"the SMS sender {address!r} is neither a number nor ≤ 11 Latin letters and digits"
    )


class _Outbox(AbstractBroker):  # type: ignore[misc]
    """What the ESME sends next; emptied when the session ends. Once shut, taking from
    it ends the ESME's sending task (the ESME takes a ConnectionError for a lost link)."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._shut = False

    def shut(self) -> None:
        self._shut = True
        self._queue.put_nowait(None)

    def put(self, message: Any) -> None:
        self._queue.put_nowait(message)

    def clear(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    async def enqueue(self, message: Any) -> None:
        self.put(message)

    async def dequeue(self) -> Any:
        message = await self._queue.get()
        if self._shut:
            raise ConnectionError("the sender is closed")
        return message


class _Hook(AbstractHook):  # type: ignore[misc]
    def __init__(self, sender: SmppSender) -> None:
        self._sender = sender

    async def sending(self, smpp_message: Any, pdu: bytes, client_id: str) -> None:
        self._sender._sending(smpp_message)

    async def received(self, smpp_message: Any, pdu: bytes, client_id: str) -> None:
        await self._sender._received(smpp_message, pdu)

    async def send_error(self, smpp_message: Any, error: Exception, client_id: str) -> None:
        self._sender._send_failed(smpp_message, error)


class _Reconnection(AbstractRetryTimer):  # type: ignore[misc]
    """Called by the ESME each time its session ends or a bind fails: the pause before
    the next bind."""

    def __init__(self, sender: SmppSender) -> None:
        self._sender = sender

    async def wait(self) -> None:
        self._sender._session_ended()
        await asyncio.sleep(self._sender._next_delay())

    def reset(self) -> None:
        """Bound again: the next pause starts from the shortest."""

    def next_delay(self) -> float:
        return reconnect_delay(self._sender._failures, *self._sender._delays)
