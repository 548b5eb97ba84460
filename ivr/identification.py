"""Who is calling (IVR-12): households by account number (the caller's number offered as a
shortcut), businesses by INN, OGRN or contract number. Nothing of an account is spoken before
the caller is identified; attempts are bounded and a caller who fails them is not
dropped but handed to an operator.

Back and the operator work throughout (IVR-3): ``*`` at the shortcut offer or as the
whole of a number leaves to the menu, ``0`` likewise reaches an operator (see
:mod:`ivr.number_input`). On the business line ``*`` at the INN prompt switches to the
contract number, as the prompt says; ``*`` at the contract number prompt leaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from customers.identifiers import (
    household_account_is_valid,
    inn_is_valid,
    normalise_phone,
    ogrn_is_valid,
)
from customers.model import Account, CustomerKind
from customers.store import CustomerStore
from ivr.call_context import CallContext
from ivr.call_record import Outcome
from ivr.menu import BACK_KEY
from ivr.number_input import Leave, leaving, read_number
from prompts.catalog import Variant

ACCOUNT_ENTRY_TIMEOUT_MS = 7000
OFFER_TIMEOUT_MS = 5000
LONGEST_IDENTIFIER = 15
OGRN_LENGTHS = (13, 15)

Identification = Account | Leave
"""The caller's account, or where the caller goes instead: back to the menu, or an
operator (chosen with ``0``, or after every attempt failed)."""

Answer = Account | Leave | str | None
"""What one attempt gave: an account, a way out, the prompt that says why the digits
are no account, or None when there is nothing to say before the next attempt."""


async def identify_caller(ctx: CallContext) -> Identification:
    """The caller's account for this call (asked only once per call), or where they go.
    A caller hanging up meanwhile abandoned the call in identification."""
    if ctx.account is not None:
        return ctx.account
    ctx.abandoned_as = Outcome.ABANDONED_IN_IDENTIFICATION
    business_line = ctx.tree.line == "business"
    found = await (_identify_business(ctx) if business_line else _identify_household(ctx))
    if found is None:
        await ctx.call.play([ctx.prompt("identify_failed")])
        found = Leave.GAVE_UP
    elif isinstance(found, Account):
        ctx.account = found
    ctx.abandoned_as = None
    return found


async def _attempts(
    ctx: CallContext, attempt: Callable[[Variant], Awaitable[Answer]]
) -> Identification | None:
    """Up to the configured number of attempts (the first with the short prompt, the
    others with the full one); None when all of them failed."""
    for number in range(ctx.services.identification_attempts):
        answer = await attempt("full" if number else "short")
        if isinstance(answer, Account | Leave):
            return answer
        if answer is not None:
            await ctx.call.play([ctx.prompt(answer)])
    return None


async def _identify_household(ctx: CallContext) -> Identification | None:
    offered = await _offer_callers_account(ctx)
    if offered is not None:
        return offered

    async def by_account_number(variant: Variant) -> Answer:
        prompt = ctx.prompt("identify_enter_account", variant)
        entered = await read_number(ctx, prompt, LONGEST_IDENTIFIER, ACCOUNT_ENTRY_TIMEOUT_MS)
        return leaving(entered.digits) or await _household(ctx.services.customers, entered.digits)

    return await _attempts(ctx, by_account_number)


async def _offer_callers_account(ctx: CallContext) -> Identification | None:
    """The one household account of the number calling, if the caller takes it (``1``)."""
    call, store = ctx.call, ctx.services.customers
    try:
        caller = normalise_phone(call.environment.caller_id)
    except ValueError:  # anonymous, an internal extension, a foreign number: no shortcut
        return None
    known = [a for a in await store.accounts_by_phone(caller) if a.kind is CustomerKind.HOUSEHOLD]
    if len(known) != 1:
        return None
    answer = await call.read_digits(ctx.prompt("identify_caller_id_offer"), OFFER_TIMEOUT_MS, 1)
    return known[0] if answer.digits == "1" else leaving(answer.digits)


async def _household(store: CustomerStore, digits: str) -> Account | str:
    if not household_account_is_valid(digits):
        return "identify_bad_account"
    account = await store.account_by_number(digits)
    if account is None or account.kind is not CustomerKind.HOUSEHOLD:
        return "identify_not_found"
    return account


async def _identify_business(ctx: CallContext) -> Identification | None:
    store = ctx.services.customers
    by_contract = False

    async def by_code(variant: Variant) -> Answer:
        nonlocal by_contract
        prompt = "identify_enter_contract" if by_contract else "identify_enter_inn"
        entered = await ctx.call.read_digits(
            ctx.prompt(prompt, variant), ACCOUNT_ENTRY_TIMEOUT_MS, LONGEST_IDENTIFIER
        )
        if entered.digits.startswith(BACK_KEY) and not by_contract:
            by_contract = True
            return None
        left = leaving(entered.digits)
        if left is not None:
            return left
        if by_contract:
            return await store.business_by_contract(entered.digits) or "identify_not_found"
        return await _business(store, entered.digits)

    return await _attempts(ctx, by_code)


async def _business(store: CustomerStore, code: str) -> Account | str:
    """The business with this OGRN (13 or 15 digits) or INN."""
    if len(code) in OGRN_LENGTHS:
        if not ogrn_is_valid(code):
            return "identify_bad_inn"
        account = await store.business_by_ogrn(code)
    elif not inn_is_valid(code):
        return "identify_bad_inn"
    else:
        account = await store.business_by_inn(code)
    return account or "identify_not_found"
