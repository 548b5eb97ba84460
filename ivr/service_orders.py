"""Orders for paid services on the 400-100 line (IVR-14): the caller picks a service
and leaves a number; the order must reach the executor within 15 minutes, and the
executor calls the customer within 3 days. While the number is entered, ``*`` alone goes
back to the menu and ``0`` alone reaches an operator."""

from __future__ import annotations

from callcenter.tasks import NewTask, TaskKind
from ivr.call_context import ActionResult, CallContext
from ivr.callback_request import ask_callback_number
from ivr.number_input import Leave


async def order_paid_service(ctx: CallContext) -> ActionResult:
    service = ctx.topic or "Дополнительная услуга"
    number = await ask_callback_number(ctx)
    if isinstance(number, Leave):
        return number.action_result
    if number is None:
        await ctx.call.play([ctx.prompt("order_not_taken")])
        return ActionResult.DONE
    now = ctx.now()
    await ctx.services.tasks.add(
        NewTask(
            kind=TaskKind.PAID_SERVICE_ORDER,
            call_id=ctx.call_id,
            phone=number,
            line=ctx.tree.line,
            subject=service,
            created_at=now,
            due_at=now + ctx.services.order_handover,
            follow_up_due_at=now + ctx.services.executor_call,
            account_number=ctx.account.number if ctx.account else None,
            details={"service": service},
        )
    )
    await ctx.call.play([ctx.prompt("order_accepted")])
    return ActionResult.DONE
