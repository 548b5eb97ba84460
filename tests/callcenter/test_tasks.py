"""Work for people in one model: messages, orders and callbacks, stored and listed."""

from __future__ import annotations

from datetime import datetime, timedelta

from callcenter.cli import task_report
from callcenter.storage import SqlTasks
from callcenter.tasks import CALLBACK_SUBJECT, NewTask, TaskKind, new_callback
from callgrid.database import Database
from worktime.calendar import default_calendar
from worktime.clock import DEFAULT_ZONE

FRIDAY_MORNING = datetime(2026, 11, 27, 9, 30, tzinfo=DEFAULT_ZONE)
FRIDAY_NIGHT = datetime(2026, 11, 27, 21, 0, tzinfo=DEFAULT_ZONE)
MONDAY_EVENING = datetime(2026, 11, 30, 20, 0, tzinfo=DEFAULT_ZONE)


def _order(at: datetime) -> NewTask:
    return NewTask(
        kind=TaskKind.PAID_SERVICE_ORDER,
        call_id="order-call",
        phone="79001234567",
        line="paid_services",
        subject="Поверка счётчика",
        created_at=at,
        due_at=at + timedelta(minutes=15),
        follow_up_due_at=at + timedelta(days=3),
        account_number="7012345678",
        details={"service": "Поверка счётчика"},
    )


def test_a_callback_is_due_by_the_end_of_the_working_day() -> None:
    callback = new_callback(
        "c1", "89139876543", "toll_free", "Оплата", FRIDAY_MORNING, default_calendar()
    )
    assert callback.kind == TaskKind.CALLBACK and callback.subject == "Оплата"
    assert callback.due_at == FRIDAY_MORNING.replace(hour=20, minute=0)


def test_a_callback_after_hours_is_due_the_next_working_day() -> None:
    callback = new_callback(
        "c1", "89139876543", "toll_free", None, FRIDAY_NIGHT, default_calendar()
    )
    assert callback.due_at == MONDAY_EVENING
    assert callback.subject == CALLBACK_SUBJECT, "a callback without a topic still says what it is"


async def test_callbacks_and_orders_are_one_list_soonest_due_first(database: Database) -> None:
    tasks = SqlTasks(database, default_calendar())
    callback_id = await tasks.request_callback(
        "call-1", "89139876543", "toll_free", "Аварийное отключение", FRIDAY_NIGHT
    )
    order_id = await tasks.add(_order(FRIDAY_MORNING))
    everything = await tasks.open_tasks()
    assert [(t.id, t.kind, t.status) for t in everything] == [
        (order_id, TaskKind.PAID_SERVICE_ORDER, "open"),
        (callback_id, TaskKind.CALLBACK, "open"),
    ]
    order = everything[0]
    assert order.account_number == "7012345678" and order.details == {"service": "Поверка счётчика"}
    assert order.follow_up_due_at == FRIDAY_MORNING + timedelta(days=3)
    (callback,) = await tasks.open_tasks("callback")
    assert (callback.phone, callback.line, callback.call_id) == (
        "89139876543",
        "toll_free",
        "call-1",
    )
    assert (callback.created_at, callback.due_at) == (FRIDAY_NIGHT, MONDAY_EVENING)
    assert await tasks.for_call("call-1") == [callback]


def test_the_report_marks_late_work_and_counts_it_by_kind() -> None:
    from callcenter.tasks import Task

    callback = Task(
        **vars(
            new_callback("c", "89139876543", "toll_free", None, FRIDAY_NIGHT, default_calendar())
        ),
        id=7,
        status="open",
    )
    order = Task(**vars(_order(FRIDAY_MORNING)), id=8, status="open")
    lines = task_report([order, callback], now=FRIDAY_NIGHT)
    assert lines[0].startswith("#8     paid_service_order due 27.11.2026 09:45  LATE")
    assert "7012345678" in lines[0]
    assert (
        lines[1]
        == f"#7     callback           due 30.11.2026 20:00  {CALLBACK_SUBJECT}, 89139876543"
    )
    assert lines[2] == "2 open task(s): callback 1 (0 late), paid_service_order 1 (1 late)"
    assert task_report([], now=FRIDAY_NIGHT) == ["0 open task(s)"]
