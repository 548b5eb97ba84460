"""Callback requests become tasks: one table of work for a person with a deadline.

Each stored request moves into ``tasks`` as a task of kind ``callback``, due by the end
of its working day (CC-5); a request older than the production calendar is due at once.

Revision ID: 0006
Revises: 0005
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime
from worktime.calendar import CalendarError, callback_deadline, default_calendar

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CALLBACK = "callback"
NO_TOPIC = "Обратный звонок"

tasks = sa.table(
    "tasks",
    sa.column("kind", sa.String),
    sa.column("call_id", sa.String),
    sa.column("phone", sa.String),
    sa.column("line", sa.String),
    sa.column("subject", sa.String),
    sa.column("details", sa.JSON),
    sa.column("created_at", UtcDateTime),
    sa.column("due_at", UtcDateTime),
    sa.column("status", sa.String),
)
callback_requests = sa.table(
    "callback_requests",
    sa.column("call_id", sa.String),
    sa.column("phone", sa.String),
    sa.column("line", sa.String),
    sa.column("topic", sa.String),
    sa.column("requested_at", UtcDateTime),
    sa.column("status", sa.String),
    sa.column("note", sa.Text),
)


def _due(requested_at: datetime) -> datetime:
    try:
        return callback_deadline(requested_at, default_calendar(), working_days=0)
    except CalendarError:
        return requested_at


def upgrade() -> None:
    requests = op.get_bind().execute(sa.select(callback_requests)).all()
    if requests:
        op.bulk_insert(
            tasks,
            [
                {
                    "kind": CALLBACK,
                    "call_id": r.call_id,
                    "phone": r.phone,
                    "line": r.line,
                    "subject": r.topic or NO_TOPIC,
                    "details": {"note": r.note} if r.note else {},
                    "created_at": r.requested_at,
                    "due_at": _due(r.requested_at),
                    "status": r.status,
                }
                for r in requests
            ],
        )
    op.drop_table("callback_requests")


def downgrade() -> None:
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_id", sa.String(32), index=True),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("line", sa.String(32), nullable=False),
        sa.Column("topic", sa.String(128)),
        sa.Column("requested_at", UtcDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    bind = op.get_bind()
    callbacks = bind.execute(sa.select(tasks).where(tasks.c.kind == CALLBACK)).all()
    if callbacks:
        op.bulk_insert(
            callback_requests,
            [
                {
                    "call_id": t.call_id,
                    "phone": t.phone,
                    "line": t.line,
                    "topic": t.subject[:128],
                    "requested_at": t.created_at,
                    "status": t.status,
                    "note": (t.details or {}).get("note", ""),
                }
                for t in callbacks
            ],
        )
    bind.execute(sa.delete(tasks).where(tasks.c.kind == CALLBACK))
