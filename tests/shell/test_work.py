"""Work claiming across processes: each row claimed once, a dead holder's lease expires,
one leader at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, true

from callgrid.database import Database, UtcDateTime
from callgrid.work import Leadership, claim, release

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
metadata = MetaData()
jobs = Table(
    "test_work_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("done_by", String(32)),
    Column("locked_by", String(32)),
    Column("locked_until", UtcDateTime),
)


@pytest.fixture
async def job_table(database: Database) -> AsyncIterator[Database]:
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)
        await connection.run_sync(metadata.create_all)
        await connection.execute(insert(jobs), [{"id": n} for n in range(1, 601)])
    yield database
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)


async def _work(database: Database, owner: str, taken: list[int]) -> None:
    while True:
        async with database.engine.begin() as connection:
            ids = await claim(connection, jobs, true(), owner=owner, now=NOW, lease=LEASE, limit=25)
        if not ids:
            return
        taken.extend(ids)
        await asyncio.sleep(0)


async def test_every_job_is_claimed_exactly_once_by_concurrent_workers(
    job_table: Database,
) -> None:
    taken: dict[str, list[int]] = {f"worker-{n}": [] for n in range(4)}
    await asyncio.gather(*(_work(job_table, owner, ids) for owner, ids in taken.items()))
    claimed = [job for ids in taken.values() for job in ids]
    assert sorted(claimed) == list(range(1, 601))


async def test_a_dead_holders_jobs_are_claimed_again_after_the_lease(job_table: Database) -> None:
    async with job_table.engine.begin() as connection:
        held = await claim(connection, jobs, true(), owner="dead", now=NOW, lease=LEASE, limit=3)
        again = await claim(
            connection, jobs, jobs.c.id.in_(held), owner="alive", now=NOW, lease=LEASE, limit=3
        )
        assert again == []
        later = NOW + LEASE + timedelta(seconds=1)
        again = await claim(
            connection, jobs, jobs.c.id.in_(held), owner="alive", now=later, lease=LEASE, limit=3
        )
        assert sorted(again) == sorted(held)
        await release(connection, jobs, again)
        holders = await connection.execute(select(jobs.c.locked_by).where(jobs.c.id.in_(held)))
        assert set(holders.scalars()) == {None}


async def test_one_leader_at_a_time_on_postgresql(postgres_url: str) -> None:
    first_db, second_db = Database(postgres_url), Database(postgres_url)
    first, second = Leadership(first_db, "retention"), Leadership(second_db, "retention")
    try:
        assert await first.try_to_lead()
        assert not await second.try_to_lead()
        await first.step_down()
        assert await second.try_to_lead()
    finally:
        await first.step_down()
        await second.step_down()
        await first_db.close()
        await second_db.close()
