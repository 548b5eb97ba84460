"""The desk's transfers in the database (``call_transfers``): stored by the desk before
the operator's leg is hung up, taken by the caller's FastAGI session once the caller's
``Queue()`` returns, and closed with how the transfer ended."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, String, bindparam, select, update
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.transfer import TargetKind, Transfer, TransferState
from callgrid.database import Base, Database, UtcDateTime

FRESH_FOR = timedelta(minutes=2)
"""A request older than this when the caller's session looks is not carried out: the
caller's Queue() returned for another reason long before."""


class CallTransferRow(Base):
    """A transfer asked for at the desk (CC-4) and how it ended."""

    __tablename__ = "call_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    uniqueid: Mapped[str] = mapped_column(String(64), index=True)
    queue: Mapped[str] = mapped_column(String(64))
    from_operator: Mapped[str] = mapped_column(String(64))
    from_interface: Mapped[str] = mapped_column(String(128))
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(128))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    state: Mapped[str] = mapped_column(String(24))
    answered_by: Mapped[str | None] = mapped_column(String(128))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


NEWEST_REQUEST = (
    select(CallTransferRow.id)
    .where(
        CallTransferRow.uniqueid == bindparam("uniqueid"),
        CallTransferRow.state == TransferState.REQUESTED.value,
        CallTransferRow.requested_at >= bindparam("since"),
    )
    .order_by(CallTransferRow.requested_at.desc(), CallTransferRow.id.desc())
    .limit(1)
)
"""Built once: it is asked after every answered queue call."""


class SqlTransfers:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, transfer: Transfer) -> Transfer:
        """Store a new request; the transfer with its id."""
        row = CallTransferRow(
            uniqueid=transfer.uniqueid[:64],
            queue=transfer.queue[:64],
            from_operator=transfer.from_operator[:64],
            from_interface=transfer.from_interface[:128],
            target_kind=transfer.target_kind.value,
            target=transfer.target[:128],
            requested_by=transfer.requested_by[:64],
            requested_at=transfer.requested_at,
            state=TransferState.REQUESTED.value,
        )
        async with self.database.session() as session, session.begin():
            session.add(row)
            await session.flush()
            return _transfer(row)

    async def take(self, uniqueid: str, now: datetime) -> Transfer | None:
        """The newest fresh request for the caller's call, now ``connecting``; None when
        there is none (or another session took it first). Asked after every answered
        queue call, and nearly always answered "none": one plain query then."""
        fresh = {"uniqueid": uniqueid[:64], "since": now - FRESH_FOR}
        async with self.database.engine.connect() as connection:
            newest = (await connection.execute(NEWEST_REQUEST, fresh)).scalar()
        if newest is None:
            return None
        async with self.database.session() as session, session.begin():
            row = await session.get(CallTransferRow, newest)
            if row is None:
                return None
            taken = await session.execute(
                update(CallTransferRow)
                .where(
                    CallTransferRow.id == row.id,
                    CallTransferRow.state == TransferState.REQUESTED.value,
                )
                .values(state=TransferState.CONNECTING.value)
            )
            if cast(CursorResult[Any], taken).rowcount != 1:
                return None
            await session.refresh(row)
            return _transfer(row)

    async def finish(
        self, transfer_id: int, state: TransferState, at: datetime, answered_by: str | None = None
    ) -> None:
        async with self.database.session() as session, session.begin():
            await session.execute(
                update(CallTransferRow)
                .where(CallTransferRow.id == transfer_id)
                .values(
                    state=state.value,
                    answered_by=(answered_by or "")[:128] or None,
                    ended_at=at,
                )
            )

    async def of_call(self, uniqueid: str) -> list[Transfer]:
        """Every transfer of a call, in the order they were asked for."""
        query = (
            select(CallTransferRow)
            .where(CallTransferRow.uniqueid == uniqueid[:64])
            .order_by(CallTransferRow.requested_at, CallTransferRow.id)
        )
        async with self.database.session() as session:
            return [_transfer(row) for row in (await session.execute(query)).scalars()]


def _transfer(row: CallTransferRow) -> Transfer:
    return Transfer(
        id=row.id,
        uniqueid=row.uniqueid,
        queue=row.queue,
        from_operator=row.from_operator,
        from_interface=row.from_interface,
        target_kind=TargetKind(row.target_kind),
        target=row.target,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        state=TransferState(row.state),
        answered_by=row.answered_by,
        ended_at=row.ended_at,
    )
