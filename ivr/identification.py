"""Who is calling (IVR-12): households by account number (the caller's number offered as a
shortcut), businesses by INN, OGRN or contract number. Nothing of an account is spoken before
the caller is identified; attempts are bounded and a caller who fails them is not
dropped but handed to an operator by the menu."""

from __future__ import annotations

from customers.identifiers import (
    household_account_is_valid,
    inn_is_valid,
    normalise_phone,
    ogrn_is_valid,
)
from customers.model import Account, CustomerKind
from ivr.call_context import CallContext
from ivr.number_input import read_number
from prompts.catalog import Variant

ATTEMPTS = 3
ACCOUNT_ENTRY_TIMEOUT_MS = 7000
LONGEST_IDENTIFIER = 15
OGRN_LENGTHS = (13, 15)


async def identify(ctx: CallContext) -> Account | None:
    """The caller's account for this call, asking only once per call."""
    if ctx.account is None:
        business_line = ctx.tree.line == "business"
        ctx.account = await (_identify_business(ctx) if business_line else _identify_household(ctx))
        if ctx.account is None:
            await ctx.call.play([ctx.prompt("identify_failed")])
    return ctx.account


async def _identify_household(ctx: CallContext) -> Account | None:
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
            answer = await call.read_digits(ctx.prompt("identify_caller_id_offer"), 5000, 1)
            if answer.digits == "1":
                return known[0]
    for attempt in range(ATTEMPTS):
        entered = await read_number(
            ctx,
            ctx.prompt("identify_enter_account", "full" if attempt else "short"),
            LONGEST_IDENTIFIER,
            ACCOUNT_ENTRY_TIMEOUT_MS,
        )
        if not household_account_is_valid(entered.digits):
            await call.play([ctx.prompt("identify_bad_account")])
            continue
        account = await store.account_by_number(entered.digits)
        if account is not None and account.kind is CustomerKind.HOUSEHOLD:
            return account
        await call.play([ctx.prompt("identify_not_found")])
    return None


async def _identify_business(ctx: CallContext) -> Account | None:
    store, call = ctx.services.customers, ctx.call
    by_contract = False
    for attempt in range(ATTEMPTS):
        variant: Variant = "full" if attempt else "short"
        prompt = "identify_enter_contract" if by_contract else "identify_enter_inn"
        entered = await call.read_digits(
            ctx.prompt(prompt, variant), ACCOUNT_ENTRY_TIMEOUT_MS, LONGEST_IDENTIFIER
        )
        if entered.digits.startswith("*") and not by_contract:
            by_contract = True
            continue
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
    return None
