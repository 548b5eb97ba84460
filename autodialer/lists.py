"""A campaign's list: chosen by a query over the customers, or imported from a CSV or
XLSX file, checked all-or-nothing with every row's problems (as the accounts import).

A query is ``key=value`` terms joined by commas, all of which must hold:
``kind=household|business``, ``debtors`` (any debt), ``debt_over_bills=2`` (a debt
over that many monthly bills — the last payment stands for the bill), ``min_debt=500``,
``area=<area>``, ``verification_before=2027-03-01`` (a meter's verification due by
then), ``survey_due`` (no survey delivered within ``survey_max_gap_months``), ``all``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from autodialer.eligibility import add_months
from autodialer.model import Cause, Outcome, Purpose
from autodialer.storage import ListEntry
from autodialer.tables import AttemptRow
from customers.account_import import Problem
from customers.cell_text import text_problem
from customers.identifiers import normalise_phone
from customers.table_file import Table, read_table
from customers.tables import AccountRow, MeterRow

ALIASES = {
    "лицевой счет": "account",
    "лицевой счёт": "account",
    "лс": "account",
    "account_number": "account",
    "number": "account",
    "телефон": "phone",
    "почта": "email",
    "e-mail": "email",
    "дата ограничения": "restriction_date",
}
COLUMNS = ("account", "phone", "email", "restriction_date")
MAX_LIST = 2_000_000


class ListError(ValueError):
    """A list that cannot be used; ``problems`` holds every row's, when it is a file."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class ListQuery:
    terms: dict[str, str]

    @classmethod
    def parse(cls, text: str) -> ListQuery:
        terms: dict[str, str] = {}
        for raw in text.split(","):
            key, _, value = raw.strip().partition("=")
            key, value = key.strip(), value.strip()
            if not key:
                continue
            if key not in QUERY_KEYS:
                known = ", ".join(sorted(QUERY_KEYS))
                raise ListError(f"{key!r} is not a list condition ({known})")
            if QUERY_KEYS[key] and not value:
                raise ListError(f"{key} needs a value: {key}=…")
            terms[key] = value
        if not terms:
            raise ListError("an empty query: write 'all' for every customer")
        for key, value in terms.items():
            _value_problem(key, value)
        return cls(terms)


QUERY_KEYS = {
    "all": False,
    "kind": True,
    "debtors": False,
    "debt_over_bills": True,
    "min_debt": True,
    "area": True,
    "verification_before": True,
    "survey_due": False,
}
"""Each condition, and whether it takes a value."""


def _value_problem(key: str, value: str) -> None:
    if key == "kind" and value not in ("household", "business"):
        raise ListError("kind is household or business")
    if key in ("debt_over_bills", "min_debt"):
        try:
            if Decimal(value) < 0:
                raise InvalidOperation
        except InvalidOperation:
            raise ListError(f"{key} is a number of 0 or more, not {value!r}") from None
    if key == "verification_before":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ListError(f"verification_before is a date like 2027-03-01: {value!r}") from None


async def select_list(
    connection: AsyncConnection, query: ListQuery, now: datetime, survey_max_gap_months: int
) -> list[ListEntry]:
    conditions: list[Any] = []
    terms = query.terms
    if "kind" in terms:
        conditions.append(AccountRow.kind == terms["kind"])
    if "debtors" in terms:
        conditions.append(AccountRow.debt > 0)
    if "min_debt" in terms:
        conditions.append(AccountRow.debt >= Decimal(terms["min_debt"]))
    if "debt_over_bills" in terms:
        bills = Decimal(terms["debt_over_bills"])
        conditions += [
            AccountRow.last_payment_amount.is_not(None),
            AccountRow.last_payment_amount > 0,
            AccountRow.debt > AccountRow.last_payment_amount * bills,
        ]
    if "area" in terms:
        conditions.append(AccountRow.area == terms["area"])
    if "verification_before" in terms:
        due = date.fromisoformat(terms["verification_before"])
        conditions.append(
            exists().where(MeterRow.account_id == AccountRow.id, MeterRow.verification_due <= due)
        )
    if "survey_due" in terms:
        since = add_months(now, -survey_max_gap_months)
        positive = [cause.value for cause in Cause if cause.outcome is Outcome.POSITIVE]
        conditions.append(
            ~exists().where(
                AttemptRow.account_number == AccountRow.number,
                AttemptRow.purpose == Purpose.SURVEY.value,
                AttemptRow.cause.in_(positive),
                AttemptRow.started_at > since,
            )
        )
    rows = await connection.execute(
        select(AccountRow.number)
        .where(and_(True, *conditions))
        .order_by(AccountRow.id)
        .limit(MAX_LIST + 1)
    )
    entries = [ListEntry(number) for (number,) in rows]
    if len(entries) > MAX_LIST:
        raise ListError(f"the query selects more than {MAX_LIST:,} customers")
    return entries


def read_list_file(path: Path) -> Table:
    """A list file's table, with its account column (лицевой счёт) found."""
    table = read_table(path, ALIASES)
    if "account" not in table.header:
        raise ListError(f"{path.name} has no account column (лицевой счёт)")
    return table


def listed_accounts(table: Table) -> list[str]:
    column = table.header.index("account")
    return [row[column].strip() for row in table.rows if column < len(row)]


def checked_entries(
    header: Sequence[str], rows: Sequence[Sequence[str]], known: Iterable[str] | None
) -> list[ListEntry]:
    known_set = None if known is None else set(known)
    problems: list[Problem] = []
    entries: list[ListEntry] = []
    seen: dict[str, int] = {}
    where = {name: header.index(name) for name in COLUMNS if name in header}
    for number, row in enumerate(rows, start=2):

        def cell(name: str, row: Sequence[str] = row) -> str:
            index = where.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        row_problems = _row_problems(cell, known_set)
        account = cell("account")
        if account and account in seen:
            row_problems.append(
                ("account", f"{account} is on the list already (row {seen[account]})")
            )
        seen.setdefault(account, number)
        problems += [Problem(number, column, reason) for column, reason in row_problems]
        if not row_problems:
            restriction = cell("restriction_date")
            entries.append(
                ListEntry(
                    account_number=account,
                    phone=normalise_phone(cell("phone")) if cell("phone") else "",
                    email=cell("email"),
                    restriction_date=date.fromisoformat(restriction) if restriction else None,
                )
            )
    if problems:
        raise ListError(f"{len(problems)} problems in the list; nothing was stored", problems)
    if not entries:
        raise ListError("the list has no customers")
    return entries


def _row_problems(cell: Any, known: set[str] | None) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    account = cell("account")
    if not account:
        problems.append(("account", "is empty"))
    elif (reason := text_problem(account, 32, formula_checked=True)) is not None:
        problems.append(("account", reason))
    elif known is not None and account not in known:
        problems.append(("account", f"{account} is not a customer of ours"))
    if cell("phone"):
        try:
            normalise_phone(cell("phone"))
        except ValueError:
            problems.append(("phone", f"{cell('phone')[:32]!r} is not a phone number"))
    email = cell("email")
    if email and (email.count("@") != 1 or any(c.isspace() for c in email) or len(email) > 256):
        problems.append(("email", f"{email[:64]!r} is not an e-mail address"))
    if cell("restriction_date"):
        try:
            date.fromisoformat(cell("restriction_date"))
        except ValueError:
            problems.append(("restriction_date", "is a date like 2027-01-31"))
    return problems
