"""Delivery receipts of SMS in the SMPP 3.4 Appendix B text form (AD-9). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from worktime.clock import local_zone

DELIVERED_STATUS = "DELIVRD"
_RECEIPT_FIELD = re.compile(
    r"(?:^|\s)(id|sub|dlvrd|submit date|done date|stat|err|text):", re.IGNORECASE
)
_RECEIPT_DATE = re.compile(r"^\d{10}(\d{2})?$")


@dataclass(frozen=True)
class SmsReceipt:
    message_id: str
    delivered: bool
    status: str
    """``stat`` as the SMSC wrote it: DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED…"""
    at: datetime | None
    """``done date``: when the SMSC settled the message's fate."""
    text: str


def parse_receipt(short_message: str, zone: tzinfo | None = None) -> SmsReceipt | None:
    """A delivery receipt in the SMPP 3.4 Appendix B form, ``id:… sub:… dlvrd:… submit
    date:… done date:… stat:… err:… text:…``, or None when it is not one (no id or stat).

    Its dates carry no zone: they are read in ``zone``, the region's by default."""
    fields: dict[str, str] = {}
    matches = list(_RECEIPT_FIELD.finditer(short_message))
    for index, match in enumerate(matches):
        key = match.group(1).lower()
        if key == "text":
            fields[key] = short_message[match.end() :]
            break
        end = matches[index + 1].start() if index + 1 < len(matches) else len(short_message)
        fields.setdefault(key, short_message[match.end() : end].strip())
    message_id, status = fields.get("id", ""), fields.get("stat", "").upper()
    if not message_id or not status:
        return None
    return SmsReceipt(
        message_id=message_id,
        delivered=status == DELIVERED_STATUS,
        status=status,
        at=_receipt_date(fields.get("done date", ""), zone or local_zone()),
        text=fields.get("text", ""),
    )


def _receipt_date(value: str, zone: tzinfo) -> datetime | None:
    if not _RECEIPT_DATE.match(value):
        return None
    try:
        moment = datetime.strptime(value, "%y%m%d%H%M%S" if len(value) == 12 else "%y%m%d%H%M")
    except ValueError:
        return None
    return moment.replace(tzinfo=zone)
