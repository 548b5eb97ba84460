"""The proof of what reached each customer (AD-9): every attempt with its channel,
times, cause, what was said, the Asterisk evidence and the recording's checksum, as
rows for a CSV or a printable page."""

from __future__ import annotations

import csv
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TextIO
from zoneinfo import ZoneInfo

from autodialer.reports import CampaignReports, ProvenAttempt
from customers.cell_text import looks_like_formula
from recordings.model import Recording

PROOF_COLUMNS = (
    "account", "channel", "address", "started", "ended", "outcome", "cause", "said",
    "originate_reason", "hangup_cause", "amd_status", "amd_cause", "heard_seconds", "key",
    "recording_call_id", "recording_sha256", "recording_seconds", "events",
)  # fmt: skip
RecordingOf = Callable[[str], Awaitable[Recording | None]]


@dataclass(frozen=True)
class ProofLine:
    proven: ProvenAttempt
    recording: Recording | None

    def row(self, zone: ZoneInfo) -> list[str]:
        attempt = self.proven.attempt
        details = attempt.details
        events = " | ".join(
            f"{event.at.astimezone(zone):%Y-%m-%d %H:%M:%S} {event.kind} {event.detail}".strip()
            for event in self.proven.events
        )
        recording = self.recording
        return [
            attempt.account_number,
            attempt.channel.value,
            attempt.address,
            f"{attempt.started_at.astimezone(zone):%Y-%m-%d %H:%M:%S}",
            f"{attempt.ended_at.astimezone(zone):%Y-%m-%d %H:%M:%S}" if attempt.ended_at else "",
            attempt.outcome.value if attempt.outcome else "under way",
            attempt.cause.value if attempt.cause else "",
            attempt.said,
            *(details.get(name, "") for name in PROOF_COLUMNS[8:14]),
            recording.call_id if recording else "",
            (recording.sha256 or "") if recording else "",
            f"{recording.duration_seconds:.1f}" if recording and recording.duration_seconds else "",
            events,
        ]


async def proof_lines(
    reports: CampaignReports,
    campaign_id: int,
    account_number: str | None,
    recording_of: RecordingOf | None,
) -> list[ProofLine]:
    lines = []
    for proven in await reports.attempts(campaign_id, account_number):
        call_id = proven.attempt.call_id
        recording = await recording_of(call_id) if recording_of and call_id else None
        lines.append(ProofLine(proven, recording))
    return lines


def write_csv(output: TextIO, lines: Sequence[ProofLine], zone: ZoneInfo) -> None:
    """The proof as CSV; a cell a spreadsheet would run as a formula (a name or an
    address someone typed as ``=HYPERLINK(…)``) gets a leading apostrophe."""
    writer = csv.writer(output)
    writer.writerow(PROOF_COLUMNS)
    for line in lines:
        writer.writerow(f"'{cell}" if looks_like_formula(cell) else cell for cell in line.row(zone))
