"""Campaigns and their lists in the database (AD-2): created, edited, moved between
states, each change audited in its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, String, delete, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from autodialer.lifecycle import Actor
from autodialer.model import Campaign, CampaignState, MessageChannel, Purpose, Scenario
from autodialer.tables import CampaignRow, DeliveryRow, TargetRow
from callgrid.database import Database
from callgrid.web.audit import AuditLog

PENDING = "pending"
ACTIVE = "active"
DELIVERED = "delivered"
STOPPED = "stopped"
ENDED = "ended"
"""The states of a delivery (one customer, one channel): pending its next attempt, an
attempt under way, delivered, stopped (paid, refused…), or ended with the campaign."""
INSERT_CHUNK = 500


class CampaignError(ValueError):
    """A campaign change that cannot be stored; the message says why."""


@dataclass(frozen=True)
class ListEntry:
    """A customer on a campaign's list. An empty phone or e-mail means the account's own."""

    account_number: str
    phone: str = ""
    email: str = ""
    restriction_date: date | None = None


@dataclass(frozen=True)
class CampaignDraft:
    name: str
    purpose: Purpose
    channels: tuple[MessageChannel, ...]
    scenario: Scenario
    starts_at: datetime
    ends_at: datetime
    line_limit: int
    calls_per_second: float
    list_source: str = ""


class SqlCampaigns:
    def __init__(self, database: Database, audit: AuditLog) -> None:
        self.database = database
        self.audit = audit

    async def create(
        self, draft: CampaignDraft, entries: Sequence[ListEntry], actor: Actor, at: datetime
    ) -> Campaign:
        async with self.database.session() as session, session.begin():
            row = CampaignRow(
                **_draft_values(draft),
                state=CampaignState.DRAFT.value,
                targets=0,
                created_by=actor.login,
                created_at=at,
                updated_at=at,
            )
            session.add(row)
            await session.flush()
            row.targets = await _store_list(session, row.id, draft, entries)
            await self._audit(session, "campaign.create", row.id, actor, {"name": draft.name})
        return campaign_of(row)

    async def update(
        self,
        campaign_id: int,
        draft: CampaignDraft,
        entries: Sequence[ListEntry] | None,
        actor: Actor,
        at: datetime,
    ) -> Campaign:
        """Change a draft or an approved campaign; it is a draft again, unapproved."""
        async with self.database.session() as session, session.begin():
            row = await self._locked(session, campaign_id)
            if row.state not in (CampaignState.DRAFT, CampaignState.APPROVED):
                raise CampaignError(
                    f"campaign {campaign_id} is {row.state}: pause or stop changes nothing, "
                    "only a draft or an approved campaign is edited"
                )
            was = row.state
            for name, value in _draft_values(draft).items():
                setattr(row, name, value)
            row.state, row.approved_by, row.approved_at = CampaignState.DRAFT.value, None, None
            row.updated_at = at
            if entries is not None:
                await session.execute(delete(TargetRow).where(TargetRow.campaign_id == row.id))
                row.targets = await _store_list(session, row.id, draft, entries)
            else:
                await _align_channels(session, row.id, draft.channels, draft.starts_at)
            details = {"was": was, "list_replaced": entries is not None}
            await self._audit(session, "campaign.edit", row.id, actor, details)
        return campaign_of(row)

    async def change_state(
        self,
        campaign_id: int,
        expected: CampaignState,
        new: CampaignState,
        actor: Actor,
        at: datetime,
        reason: str = "",
    ) -> Campaign:
        """Move the campaign from ``expected`` to ``new``; CampaignError if someone else
        moved it first."""
        async with self.database.session() as session, session.begin():
            row = await self._locked(session, campaign_id)
            if row.state != expected.value:
                raise CampaignError(f"campaign {campaign_id} is {row.state} now, not {expected}")
            row.state, row.updated_at = new.value, at
            if new is CampaignState.APPROVED:
                row.approved_by, row.approved_at = actor.login, at
            elif new is CampaignState.DRAFT:  # back to draft: its approval is gone (AD-3)
                row.approved_by, row.approved_at = None, None
            if new in (CampaignState.STOPPED, CampaignState.FINISHED):
                await session.execute(
                    update(DeliveryRow)
                    .where(DeliveryRow.campaign_id == row.id, DeliveryRow.state == PENDING)
                    .values(state=ENDED, next_at=None)
                )
            details = {"from": expected.value, "to": new.value}
            if reason:
                details["reason"] = reason
            await self._audit(session, f"campaign.{new.value}", row.id, actor, details)
        return campaign_of(row)

    async def get(self, campaign_id: int) -> Campaign | None:
        async with self.database.session() as session:
            row = await session.get(CampaignRow, campaign_id)
        return None if row is None else campaign_of(row)

    async def all(self, limit: int = 200) -> list[Campaign]:
        async with self.database.session() as session:
            rows = await session.execute(
                select(CampaignRow).order_by(CampaignRow.id.desc()).limit(limit)
            )
            return [campaign_of(row) for row in rows.scalars()]

    async def in_state(self, *states: CampaignState) -> list[Campaign]:
        async with self.database.session() as session:
            rows = await session.execute(
                select(CampaignRow)
                .where(CampaignRow.state.in_([state.value for state in states]))
                .order_by(CampaignRow.id)
            )
            return [campaign_of(row) for row in rows.scalars()]

    async def list_entries(self, campaign_id: int) -> list[ListEntry]:
        async with self.database.session() as session:
            rows = await session.execute(
                select(TargetRow).where(TargetRow.campaign_id == campaign_id).order_by(TargetRow.id)
            )
            return [
                ListEntry(row.account_number, row.phone, row.email, row.restriction_date)
                for row in rows.scalars()
            ]

    async def _locked(self, session: AsyncSession, campaign_id: int) -> CampaignRow:
        row = await session.get(CampaignRow, campaign_id, with_for_update=True)
        if row is None:
            raise CampaignError(f"no campaign {campaign_id}")
        return row

    async def _audit(
        self,
        session: AsyncSession,
        action: str,
        campaign_id: int,
        actor: Actor,
        details: dict[str, Any],
    ) -> None:
        await self.audit.record(
            action,
            actor=actor.login,
            source=actor.source,
            subject_kind="campaign",
            subject_id=campaign_id,
            details=details,
            session=session,
        )


def campaign_of(row: CampaignRow) -> Campaign:
    return Campaign(
        id=row.id,
        name=row.name,
        purpose=Purpose(row.purpose),
        channels=tuple(MessageChannel(name) for name in row.channels.split(",") if name),
        scenario=Scenario(
            text=row.scenario_text,
            audio=row.scenario_audio,
            sms_text=row.sms_text,
            email_subject=row.email_subject,
            speech_seconds=row.speech_seconds,
        ),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        line_limit=row.line_limit,
        calls_per_second=row.calls_per_second,
        state=CampaignState(row.state),
        created_by=row.created_by,
        created_at=row.created_at,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        targets=row.targets,
    )


def _draft_values(draft: CampaignDraft) -> dict[str, Any]:
    if not draft.channels:
        raise CampaignError("choose at least one channel")
    if draft.ends_at <= draft.starts_at:
        raise CampaignError("the campaign must end after it starts")
    return {
        "name": " ".join(draft.name.split())[:128],
        "purpose": draft.purpose.value,
        "channels": ",".join(channel.value for channel in draft.channels),
        "scenario_text": draft.scenario.text,
        "scenario_audio": draft.scenario.audio,
        "sms_text": draft.scenario.sms_text,
        "email_subject": draft.scenario.email_subject,
        "speech_seconds": draft.scenario.speech_seconds,
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at,
        "line_limit": draft.line_limit,
        "calls_per_second": draft.calls_per_second,
        "list_source": draft.list_source[:256],
    }


async def _store_list(
    session: AsyncSession, campaign_id: int, draft: CampaignDraft, entries: Sequence[ListEntry]
) -> int:
    """The targets and one pending delivery per channel each, due at the start."""
    for start in range(0, len(entries), INSERT_CHUNK):
        chunk = entries[start : start + INSERT_CHUNK]
        await session.execute(
            insert(TargetRow),
            [
                {
                    "campaign_id": campaign_id,
                    "account_number": entry.account_number,
                    "phone": entry.phone,
                    "email": entry.email,
                    "restriction_date": entry.restriction_date,
                }
                for entry in chunk
            ],
        )
    await _align_channels(session, campaign_id, draft.channels, draft.starts_at)
    return len(entries)


async def _align_channels(
    session: AsyncSession,
    campaign_id: int,
    channels: Sequence[MessageChannel],
    starts_at: datetime,
) -> None:
    """Deliveries for exactly the campaign's channels: new ones added, dropped ones gone."""
    names = [channel.value for channel in channels]
    await session.execute(
        delete(DeliveryRow).where(
            DeliveryRow.campaign_id == campaign_id, DeliveryRow.channel.not_in(names)
        )
    )
    for channel in names:
        have = select(DeliveryRow.target_id).where(
            DeliveryRow.campaign_id == campaign_id, DeliveryRow.channel == channel
        )
        missing = select(
            TargetRow.campaign_id,
            TargetRow.id,
            TargetRow.account_number,
            literal(channel, String()),
            literal(PENDING, String()),
            literal(0, Integer()),
        ).where(TargetRow.campaign_id == campaign_id, TargetRow.id.not_in(have))
        await session.execute(
            insert(DeliveryRow).from_select(
                ["campaign_id", "target_id", "account_number", "channel", "state", "attempts"],
                missing,
            )
        )
    await session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.campaign_id == campaign_id, DeliveryRow.state == PENDING)
        .values(next_at=starts_at)
    )
