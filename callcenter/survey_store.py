"""The post-call surveys offered (CC-11), one row an offer: stored as it is made, before
the first question, and updated with the answers when the survey ends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, func, insert, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.survey import AnsweredCall, Customer, SurveyAnswers, SurveyOffer
from callgrid.database import Base, Database, UtcDateTime, cut_to_columns, text_lengths


class CallSurveyRow(Base):
    __tablename__ = "call_surveys"
    __table_args__ = (
        Index("ix_call_surveys_customer", "customer_key", "offered_at"),
        Index("ix_call_surveys_phone", "phone", "offered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uniqueid: Mapped[str] = mapped_column(String(64), index=True)
    customer_key: Mapped[str] = mapped_column(String(48))
    phone: Mapped[str | None] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(64))
    operator: Mapped[str] = mapped_column(String(64))
    offered_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    completed: Mapped[bool] = mapped_column(Boolean)


_LENGTHS = text_lengths(CallSurveyRow)


class SqlSurveys:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def last_offered(self, customer: Customer) -> datetime | None:
        """When the customer was last offered the survey: under their key, or to their
        phone number whatever key the call had."""
        matches = [CallSurveyRow.customer_key == customer.key[:48]]
        if customer.phone is not None:
            matches.append(CallSurveyRow.phone == customer.phone)
        query = select(func.max(CallSurveyRow.offered_at)).where(or_(*matches))
        async with self.database.engine.connect() as connection:
            found: datetime | None = (await connection.execute(query)).scalar_one_or_none()
        return found

    async def add_offer(
        self, call: AnsweredCall, customer: Customer, offered_at: datetime
    ) -> SurveyOffer:
        values = cut_to_columns(
            _LENGTHS,
            {
                "uniqueid": call.uniqueid,
                "customer_key": customer.key,
                "phone": customer.phone,
                "queue": call.queue,
                "operator": call.operator,
                "offered_at": offered_at,
                "resolved": None,
                "rating": None,
                "completed": False,
            },
        )
        async with self.database.engine.begin() as connection:
            inserted = await connection.execute(
                insert(CallSurveyRow).returning(CallSurveyRow.id), [values]
            )
            offer_id = inserted.scalar_one()
        return SurveyOffer(
            values["uniqueid"], values["customer_key"], values["queue"], values["operator"],
            offered_at, SurveyAnswers(), offer_id,
        )  # fmt: skip

    async def answered(self, offer_id: int, answers: SurveyAnswers) -> None:
        """What the caller answered, when the survey ended (completed or not)."""
        statement = (
            update(CallSurveyRow)
            .where(CallSurveyRow.id == offer_id)
            .values(resolved=answers.resolved, rating=answers.rating, completed=answers.completed)
        )
        async with self.database.engine.begin() as connection:
            await connection.execute(statement)

    async def offered_between(self, since: datetime, until: datetime) -> list[SurveyOffer]:
        """The offers made in [since, until), in the order they were made."""
        query = (
            select(CallSurveyRow)
            .where(CallSurveyRow.offered_at >= since, CallSurveyRow.offered_at < until)
            .order_by(CallSurveyRow.offered_at, CallSurveyRow.id)
        )
        async with self.database.session() as session:
            return [_offer(row) for row in (await session.execute(query)).scalars()]


def _offer(row: CallSurveyRow) -> SurveyOffer:
    return SurveyOffer(
        uniqueid=row.uniqueid,
        customer_key=row.customer_key,
        queue=row.queue,
        operator=row.operator,
        offered_at=row.offered_at,
        answers=SurveyAnswers(row.resolved, row.rating),
        id=row.id,
    )
