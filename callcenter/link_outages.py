"""The AMI link's outages (CC-10): each loss stored with its interval, the longest
of a month for the compliance report, and one line in the log when an outage passes
the standard's limit (2 h)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from callcenter.compliance import LinkOutage
from callcenter.tables import LinkOutageRow
from callgrid.database import Database

log = logging.getLogger(__name__)


class SqlLinkOutages:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def lost(self, at: datetime) -> None:
        async with self.database.engine.begin() as connection:
            await connection.execute(insert(LinkOutageRow), [{"started_at": at}])

    async def restored(self, at: datetime) -> None:
        """Every outage still open ends now, one a dead process left open too."""
        async with self.database.engine.begin() as connection:
            await connection.execute(
                update(LinkOutageRow)
                .where(LinkOutageRow.ended_at.is_(None), LinkOutageRow.started_at <= at)
                .values(ended_at=at)
            )

    async def overlapping(self, since: datetime, until: datetime) -> list[LinkOutage]:
        query = (
            select(LinkOutageRow)
            .where(
                LinkOutageRow.started_at < until,
                (LinkOutageRow.ended_at.is_(None)) | (LinkOutageRow.ended_at > since),
            )
            .order_by(LinkOutageRow.started_at)
        )
        async with self.database.session() as session:
            rows = (await session.execute(query)).scalars()
            return [LinkOutage(row.started_at, row.ended_at) for row in rows]


class OutageAlarm:
    """Says once in the log that the link has been down longer than the limit."""

    def __init__(self, limit: timedelta) -> None:
        self.limit = limit
        self._told_for: datetime | None = None

    def check(self, lost_at: datetime | None, now: datetime) -> bool:
        """True when the link lost at ``lost_at`` is down past the limit at ``now``."""
        if lost_at is None or now - lost_at <= self.limit:
            return False
        if self._told_for != lost_at:
            self._told_for = lost_at
            log.error(
                "the AMI link to Asterisk has been down since %s, longer than the %s the "
                "standard allows (CC-10)", lost_at.isoformat(timespec="seconds"), self.limit
            )  # fmt: skip
        return True
