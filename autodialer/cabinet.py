"""Notices to the customer's web cabinet through a signed webhook (AD-4).

For the cabinet's developers — what arrives and how to check it:

- ``POST`` to the configured URL, ``Content-Type: application/json; charset=utf-8``, body
  ``{"account": "7010000001", "notice_id": "…", "subject": "…", "text": "…", "sent_at":
  "2026-11-02T11:00:00+07:00"}``. ``notice_id`` is the same when a notice is sent again
  (after a timeout the cabinet may have taken it already): keep one notice per id.
- Header ``X-Callgrid-Signature: t=<unix seconds>,v1=<hex>``, where ``<hex>`` is
  HMAC-SHA256 with the shared secret over ``<t>.`` followed by the body's raw bytes,
  exactly as received (before any JSON parsing).
- Accept only when the HMAC matches (compare in constant time) and ``t`` is within five
  minutes of your clock, so a captured request cannot be replayed later.
  :func:`verify_signature` does all of it.
- Answer 2xx once the notice is stored (DELIVERED); 4xx when it can never be taken — no
  such account, a bad signature (REJECTED); 5xx when it might be taken later
  (UNDELIVERED, sent again after ``cabinet_retry_minutes``). Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import urlsplit

import aiohttp

from autodialer.model import Cause
from autodialer.sending import SendError, Sent
from worktime.clock import Clock

SIGNATURE_HEADER = "X-Callgrid-Signature"
REPLY_KEPT = 200
"""Characters of the cabinet's answer kept as evidence."""


def signature(secret: str, body: bytes, at: datetime) -> str:
    """The ``X-Callgrid-Signature`` value for ``body`` sent at ``at``."""
    moment = int(at.timestamp())
    return f"t={moment},v1={_mac(secret, moment, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, now: datetime, tolerance_seconds: int = 300
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within
    ``tolerance_seconds`` of ``now`` (either way). A malformed header is simply False."""
    fields: dict[str, list[str]] = {}
    for item in header.split(","):
        key, equals, value = item.strip().partition("=")
        if equals:
            fields.setdefault(key, []).append(value)
    moments, macs = fields.get("t", []), fields.get("v1", [])
    if len(moments) != 1 or not moments[0].isascii() or not moments[0].isdigit() or not macs:
        return False
    moment = int(moments[0])
    if abs(now.timestamp() - moment) > tolerance_seconds:
        return False
    expected = _mac(secret, moment, body)
    return any(hmac.compare_digest(expected.encode(), given.encode()) for given in macs)


def _mac(secret: str, moment: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()


class CabinetSender:
    def __init__(self, url: str, secret: str, clock: Clock, timeout: float = 10) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SendError(f"the cabinet webhook {url!r} is not an http(s) URL")
        if not secret:
            raise SendError("the cabinet webhook needs a secret to sign notices")
        self.url = url
        self._secret = secret
        self._clock = clock
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, account_number: str, reference: str, subject: str, text: str) -> Sent:
        if self._session is None:
            raise SendError("the cabinet sender is not started")
        now = self._clock()
        notice = {
            "account": account_number,
            "notice_id": reference,
            "subject": subject,
            "text": text,
            "sent_at": now.isoformat(),
        }
        body = json.dumps(notice, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: signature(self._secret, body, now),
        }
        details = {"url": self.url, "sent_at": now.isoformat()}
        try:
            async with self._session.post(
                self.url, data=body, headers=headers, allow_redirects=False
            ) as response:
                reply = (await response.content.read(REPLY_KEPT * 4)).decode(errors="replace")
                status = response.status
        except TimeoutError:
            reason = f"the cabinet did not answer in {self._timeout:g} s"
            return Sent(Cause.UNDELIVERED, details | {"reason": reason})
        except (aiohttp.ClientError, OSError) as error:
            reason = f"the cabinet is not reachable: {error}"
            return Sent(Cause.UNDELIVERED, details | {"reason": reason})
        details |= {"status": str(status), "reply": reply[:REPLY_KEPT]}
        return Sent(_judge(status), details)


def _judge(status: int) -> Cause:
    if 200 <= status < 300:
        return Cause.DELIVERED
    if 400 <= status < 500:
        return Cause.REJECTED
    return Cause.UNDELIVERED
