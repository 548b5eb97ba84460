"""Who is calling (IVR-12): households by account number (the caller's number offered as a
shortcut), businesses by INN, OGRN or contract number. Nothing of an account is spoken before
the caller is identified; attempts are bounded and a caller who fails them is not
dropped but handed to an operator by the menu.

Back and the operator work throughout (IVR-3): ``*`` at the shortcut offer or as the
whole of a number leaves to the menu, ``0`` likewise reaches an operator (see
:mod:`ivr.number_input`). On the business line ``*`` at the INN prompt switches to the
contract number, as the prompt says; ``*`` at the contract number prompt leaves.
"""

from __future__ import annotations

from enum import StrEnum

from customers.identifiers import (
    household_account_is_valid,
    inn_is_valid,
    normalise_phone,
    ogrn_is_valid,
)
from customers.model import Account, CustomerKind
from ivr.call_context import ActionResult, CallContext
from ivr.menu import BACK_KEY
from ivr.number_input import Leave, leaving, read_number
from prompts.catalog import Variant

ACCOUNT_ENTRY_TIMEOUT_MS = 7000
OFFER_TIMEOUT_MS = 5000
LONGEST_IDENTIFIER = 15
OGRN_LENGTHS = (13, 15)


class NotIdentified(StrEnum):
    FAILED = "failed"
    """Every attempt failed: an operator takes over (IVR-4)."""
    BACK = "back"
    OPERATOR = "operator"

    @property
    def action_result(self) -> ActionResult:
        return ActionResult.DONE if self is NotIdentified.BACK else ActionResult.TO_OPERATOR


Identification = Account | NotIdentified


async def identify_caller(ctx: CallContext) -> Identification:
    """The caller's account for this call (asked only once per call), or why there is none."""
    if ctx.account is not None:
        return ctx.account
    business_line = ctx.tree.line == "business"
    found = await (_identify_business(ctx) if business_line else _identify_household(ctx))
    if isinstance(found, Account):
        ctx.account = found
    elif found is NotIdentified.FAILED:
        await ctx.call.play([ctx.prompt("identify_failed")])
    return found


def _left(digits: str) -> NotIdentified | None:
    left = leaving(digits)
    if left is Leave.OPERATOR:
        return NotIdentified.OPERATOR
    if left is Leave.BACK:
        return NotIdentified.BACK
    return None


async def _identify_household(ctx: CallContext) -> Identification:
    store, call = ctx.services.customers, ctx.call
    try:
        caller = normalise_phone(call.environment.caller_id)
    except ValueError:  # anonymous, an internal extension, a foreign number: no shortcut
        caller = ""
    if caller:
        known = [
            a for a in await store.accounts_by_phone(caller) if a.kind is CustomerKind.HOUSEHOLD
        ]
        if len(known) == 1:
            answer = await call.read_digits(
                ctx.prompt("identify_caller_id_offer"), OFFER_TIMEOUT_MS, 1
            )
            if answer.digits == "1":
                return known[0]
            left = _left(answer.digits)
            if left is not None:
                return left
    for attempt in range(ctx.services.identification_attempts):
        entered = await read_number(
            ctx,
            ctx.prompt("identify_enter_account", "full" if attempt else "short"),
            LONGEST_IDENTIFIER,
            ACCOUNT_ENTRY_TIMEOUT_MS,
        )
        left = _left(entered.digits)
        if left is not None:
            return left
        if not household_account_is_valid(entered.digits):
            await call.play([ctx.prompt("identify_bad_account")])
            continue
        account = await store.account_by_number(entered.digits)
        if account is not None and account.kind is CustomerKind.HOUSEHOLD:
            return account
        await call.play([ctx.prompt("identify_not_found")])
    return NotIdentified.FAILED


async def _identify_business(ctx: CallContext) -> Identification:
    store, call = ctx.services.customers, ctx.call
    by_contract = False
    for attempt in range(ctx.services.identification_attempts):
        variant: Variant = "full" if attempt else "short"
        prompt = "identify_enter_contract" if by_contract else "identify_enter_inn"
        entered = await call.read_digits(
            ctx.prompt(prompt, variant), ACCOUNT_ENTRY_TIMEOUT_MS, LONGEST_IDENTIFIER
        )
        if entered.digits.startswith(BACK_KEY) and not by_contract:
            by_contract = True
            continue
        left = _left(entered.digits)
        if left is not None:
            return left
        if by_contract:
            account = await store.business_by_contract(entered.digits)
        elif len(entered.digits) in OGRN_LENGTHS:
            if not ogrn_is_valid(entered.digits):
                await call.play([ctx.prompt("identify_bad_inn")])
                continue
            account = await store.business_by_ogrn(entered.digits)
        elif not inn_is_valid(entered.digits):
            await call.play([ctx.prompt("identify_bad_inn")])
            continue
        else:
            account = await store.business_by_inn(entered.digits)
        if account is not None:
            return account
        await call.play([ctx.prompt("identify_not_found")])
    return NotIdentified.FAILED
