"""Log lines for operations: the call each belongs to, no customer data, no secret.

Every line says which call it is about (the AGI uniqueid, ``call=-`` outside calls).
Digit runs of six and more (phone, account, INN numbers) are masked in every line but
their last digits; passwords in URLs, ``secret=``/``password=`` values and the secrets
named with :func:`hide_secrets` become ``***``. Names cannot be told from other words,
so customer data is logged only through :func:`masked`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

from telephony.agi.observation import CALL_ID

"""The uniqueid of the call the running code serves (set by the FastAGI server)."""

LOG_FORMAT_ENV = "CALLGRID_LOG_FORMAT"
LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s call=%(call_id)s %(message)s"
HIDDEN = "***"
MIN_SECRET_LENGTH = 4
"""Shorter secrets are not replaced word for word: they would blank ordinary words."""

_NUMBER = re.compile(r"(?<![\d.])\+?\d{6,}(?!\d|\.\d)")
"""A phone, account or INN number; not a part of a decimal such as a uniqueid."""
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*:)[^\s@/]+@")
_SECRET_VALUE = re.compile(
    r"(?i)\b(secret|password|passwd|pwd|token)(\"?'?\s*[:=]\s*[\"']?)([^\s\"',;&]+)"
)
_SECRET_KEYWORDS = ("secret", "passw", "pwd", "token")
"""What every match of :data:`_SECRET_VALUE` contains, case-folded (as ``(?i)`` matches)."""
_DIGITS = re.compile(r"\d{4,}")
_WORD = re.compile(r"[^\W\d_]+")


def _kept_digits(length: int) -> int:
    return 4 if length >= 10 else 3 if length >= 8 else 2


def _mask_run(run: str) -> str:
    kept = _kept_digits(len(run))
    return "*" * (len(run) - kept) + run[-kept:]


def mask_numbers(text: str) -> str:
    """``79001234567`` → ``*******4567``: six digits and more keep their last 2-4."""
    return _NUMBER.sub(lambda match: _mask_run(match.group()), text)


class SecretRedactor:
    """Replaces passwords and secrets with ``***``."""

    def __init__(self) -> None:
        self._secrets: list[str] = []

    def hide(self, secrets: Iterable[str | None]) -> None:
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET_LENGTH and secret not in self._secrets:
                self._secrets.append(secret)
        self._secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        # Every line written passes here: a regex runs only where its match could be.
        if "://" in text:
            text = _URL_PASSWORD.sub(rf"\1{HIDDEN}@", text)
        folded = text.casefold()
        if any(keyword in folded for keyword in _SECRET_KEYWORDS):
            text = _SECRET_VALUE.sub(rf"\1\2{HIDDEN}", text)
        for secret in self._secrets:
            text = text.replace(secret, HIDDEN)
        return text


REDACT = SecretRedactor()


def hide_secrets(*secrets: str | None) -> None:
    """Never print these values (the AMI secret, the database password) in a log line."""
    REDACT.hide(secrets)


def redact(text: str) -> str:
    """The text as a log line may show it: secrets hidden, numbers masked."""
    return mask_numbers(REDACT(text))


class Masked:
    """Customer data in a log call: masked only when the line is actually written."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        text = str(self.value)
        text = _DIGITS.sub(lambda match: _mask_run(match.group()), text)
        return _WORD.sub(lambda match: match.group()[0] + HIDDEN, text)

    __repr__ = __str__


def masked(value: object) -> Masked:
    """How to log a caller ID, a name, an account number: ``Иванов`` → ``И***``,
    ``7900123`` → ``*****23``."""
    return Masked(value)


class OperationsFilter(logging.Filter):
    """Adds the call id and rewrites the message (and traceback) without secrets or
    numbers. Attached to a handler, so it sees the lines of every logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "call_id"):
            record.call_id = CALL_ID.get()
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, call, message (and exception)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "call": getattr(record, "call_id", CALL_ID.get()),
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def log_handler(log_format: str = "text", stream: TextIO | None = None) -> logging.Handler:
    """A handler writing operations lines to ``stream`` (stderr); ValueError names a
    format that is neither text nor json."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"{LOG_FORMAT_ENV}={log_format!r} is not a log format: use text or json")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(OperationsFilter())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    return handler


def setup_logging(level: int, log_format: str = "text", stream: TextIO | None = None) -> None:
    """Route every logger's lines through one operations handler, at ``level``."""
    logging.basicConfig(level=level, handlers=[log_handler(log_format, stream)], force=True)
