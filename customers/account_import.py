"""Importing accounts from a CSV (or XLSX) file: one row per account and its meter.

Reading the file (``customers.table_file``) is kept apart from checking it: ``validate``
is pure and reports every problem of every row, so a billing clerk fixes the whole file
at once; the caller stores the records only when there is no problem at all. Every cell
is checked for its length (the storage columns' sizes), control characters and, where
the value is stored as text, for looking like a spreadsheet formula.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from customers.cell_text import shortened, text_problem
from customers.identifiers import (
    household_account_is_valid,
    inn_is_valid,
    normalise_phone,
    ogrn_is_valid,
)
from customers.model import ZONE_SETS, Account, Channel, Consent, CustomerKind, Meter, Reading, Zone
from worktime.clock import local_zone

Progress = Callable[[int, int], None]
"""Called now and then with (rows done, rows in all)."""

READING_COLUMNS = {
    Zone.TOTAL: "last_reading_total",
    Zone.DAY: "last_reading_day",
    Zone.NIGHT: "last_reading_night",
    Zone.PEAK: "last_reading_peak",
    Zone.SEMIPEAK: "last_reading_semipeak",
}
COLUMNS = (
    "number", "kind", "name", "area", "address", "phone", "email", "inn", "ogrn",
    "contract_number", "debt", "due_date", "last_payment_amount", "last_payment_date", "vip",
    "consent_phone_info", "consent_sms", "consent_email", "consent_cabinet", "meter_serial",
    "meter_zones", "meter_digits", "meter_verification_due", "meter_installed_on",
    *READING_COLUMNS.values(), "last_reading_date",
)  # fmt: skip
REQUIRED_COLUMNS = ("number", "kind", "name", "area", "address")
METER_COLUMNS = tuple(name for name in COLUMNS if name.startswith(("meter_", "last_reading")))
STORED_TEXT_LENGTHS = {
    "number": 32, "kind": 16, "name": 256, "area": 128, "address": 512, "email": 256,
    "inn": 12, "ogrn": 15, "contract_number": 32, "meter_serial": 32,
}  # fmt: skip
"""The sizes of the storage columns these cells are stored in as they are written."""
MAX_CELL_LENGTH = 32
"""Any other cell: a phone as written (stored as 11 digits), an amount, a date, a flag."""
FORMULA_CHECKED = ("number", "name", "area", "address", "email", "contract_number", "meter_serial")
"""Cells stored as text; the others are parsed, so a formula there is refused anyway."""
MULTILINE_COLUMNS = ("address",)
_YES, _NO = {"1", "да", "д", "yes", "y", "true"}, {"0", "нет", "н", "no", "n", "false"}
CENT = Decimal("0.01")
_SPACES = str.maketrans("", "", " \u00a0\u202f")


@dataclass(frozen=True)
class NewAccount:
    """An account to store with its meter and the meter's last accepted readings.

    The ids inside (account, meter, reading.meter_id) are placeholders, 0: the database
    gives the real ones when the record is stored.
    """

    account: Account
    meter: Meter | None = None
    last_readings: tuple[Reading, ...] = ()


@dataclass(frozen=True)
class Problem:
    row: int
    """As a spreadsheet shows it: the header is row 1."""
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


@dataclass
class Checked:
    records: list[NewAccount] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def validate(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    existing_numbers: Collection[str],
    today: date,
    progress: Progress | None = None,
) -> Checked:
    """Every row checked; the records are complete only when there are no problems."""
    names = [name.strip().lower() for name in header]
    checked = Checked(problems=_header_problems(names))
    if checked.problems:
        return checked
    rows = list(rows)
    first_seen: dict[str, int] = {}
    for index, values in enumerate(rows):
        number = index + 2
        if progress is not None and index % 1000 == 0:
            progress(index, len(rows))
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(names):
            checked.problems.append(
                Problem(number, "fields", f"has {len(values)}, the header has {len(names)}")
            )
            continue
        row = _Row(number, dict(zip(names, values, strict=True)), today)
        record = row.record()
        account_number = row.text("number")
        if account_number in first_seen:
            row.fail(
                "number", f"duplicate: {account_number} is also on row {first_seen[account_number]}"
            )
        elif account_number:
            first_seen[account_number] = number
            if account_number in existing_numbers:
                row.fail("number", f"{account_number} is already in the database")
        checked.problems.extend(row.problems)
        if record is not None and not row.problems:
            checked.records.append(record)
    if progress is not None:
        progress(len(rows), len(rows))
    return checked


def _header_problems(names: list[str]) -> list[Problem]:
    problems = [
        Problem(1, shortened(name) or "(empty)", "unknown column")
        for name in names
        if name not in COLUMNS
    ]
    problems += [
        Problem(1, shortened(name), "column appears twice")
        for name in sorted(set(names))
        if names.count(name) > 1
    ]
    problems += [
        Problem(1, name, "column missing") for name in REQUIRED_COLUMNS if name not in names
    ]
    return problems


class _Row:
    """One row's values, read and checked; each problem found is kept."""

    def __init__(self, number: int, values: dict[str, str], today: date) -> None:
        self.number = number
        self.values = values
        self.today = today
        self.problems: list[Problem] = []
        self.refused: set[str] = set()
        """Columns whose cell cannot be read at all; they count as empty, not as missing."""
        for column, cell in values.items():
            reason = cell_problem(column, cell)
            if reason is not None:
                self.fail(column, reason)
                self.refused.add(column)

    def text(self, column: str) -> str:
        return "" if column in self.refused else self.values.get(column, "").strip()

    def fail(self, column: str, reason: str) -> None:
        self.problems.append(Problem(self.number, column, reason))

    def required(self, column: str) -> str:
        text = self.text(column)
        if not text and column not in self.refused:
            self.fail(column, "missing")
        return text

    def day(self, column: str, *, required: bool = False, past: bool = False) -> date | None:
        text = self.required(column) if required else self.text(column)
        if not text:
            return None
        for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                value = datetime.strptime(text, pattern).date()
            except ValueError:
                continue
            if past and value > self.today:
                self.fail(column, f"{text} is in the future")
            return value
        self.fail(column, f"{text!r} is not a date (write YYYY-MM-DD or DD.MM.YYYY)")
        return None

    def money(self, column: str) -> Decimal | None:
        text = self.text(column).translate(_SPACES).replace(",", ".")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        # bounded before quantize(), which cannot give 1e30 two decimals in 28 digits
        if not value.is_finite() or value.copy_abs() >= 10**10 or value != value.quantize(CENT):
            self.fail(column, f"{self.text(column)!r} is not an amount in roubles and kopecks")
            return None
        if value < 0:
            self.fail(column, f"{self.text(column)} is negative")
            return None
        return value

    def flag(self, column: str, default: bool = False) -> bool:
        text = self.text(column).lower()
        if text in _YES or text in _NO:
            return text in _YES
        if text:
            self.fail(column, f"{self.text(column)!r} is not a yes or no (write 1/0 or да/нет)")
        return default

    def whole(
        self, column: str, low: int, high: int, reason: str, required: bool = False
    ) -> int | None:
        text = (self.required(column) if required else self.text(column)).translate(_SPACES)
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            self.fail(column, f"{self.text(column)!r}: {reason}")
            return None
        return int(text)

    def record(self) -> NewAccount | None:
        """The account read from the row, or None when it cannot be made."""
        account = self.account()
        meter = self.meter() if any(self.text(name) for name in METER_COLUMNS) else None
        readings = self.readings(meter) if meter is not None else ()
        if account is None:
            return None
        return NewAccount(account, meter, readings)

    def account(self) -> Account | None:
        number, kind_text = self.required("number"), self.required("kind").lower()
        name, area, address = self.required("name"), self.required("area"), self.required("address")
        kind = CustomerKind(kind_text) if kind_text in set(CustomerKind) else None
        if kind is None and kind_text:
            self.fail("kind", f"{kind_text!r} is neither household nor business")
        inn, ogrn = self.text("inn"), self.text("ogrn")
        if kind is CustomerKind.HOUSEHOLD and number and not household_account_is_valid(number):
            self.fail("number", f"a household account number has 10 digits, not {number!r}")
        if kind is CustomerKind.BUSINESS and not inn:
            self.fail("inn", "missing (a business is found by its INN)")
        if inn and not (inn.isdigit() and len(inn) in (10, 12)):
            self.fail("inn", f"an INN has 10 or 12 digits, not {inn!r}")
        elif inn and not inn_is_valid(inn):
            self.fail("inn", "checksum does not match")
        if ogrn and not (ogrn.isdigit() and len(ogrn) in (13, 15)):
            self.fail("ogrn", f"an OGRN has 13 digits (OGRNIP 15), not {ogrn!r}")
        elif ogrn and not ogrn_is_valid(ogrn):
            self.fail("ogrn", "checksum does not match")
        elif ogrn and inn and (len(ogrn) == 15) != (len(inn) == 12):
            self.fail("ogrn", "an OGRNIP (15 digits) goes with a 12-digit INN, an OGRN with 10")
        phone = self.text("phone")
        if phone:
            try:
                phone = normalise_phone(phone)
            except ValueError:
                self.fail("phone", f"{phone!r} is not a Russian phone number")
        email = self.text("email")
        if email and ("@" not in email or " " in email or "." not in email.rpartition("@")[2]):
            self.fail("email", f"{email!r} is not an e-mail address")
        debt = self.money("debt")
        due_date, paid = self.day("due_date"), self.money("last_payment_amount")
        paid_on, vip = self.day("last_payment_date", past=True), self.flag("vip")
        consent = Consent(
            phone_info=self.flag("consent_phone_info"),
            sms=self.flag("consent_sms"),
            email=self.flag("consent_email"),
            cabinet=self.flag("consent_cabinet", default=True),
        )
        if kind is None or not (number and name and area and address):
            return None
        contract = self.text("contract_number") or (number if kind is CustomerKind.BUSINESS else "")
        return Account(
            id=0,
            number=number,
            kind=kind,
            name=name,
            area=area,
            address=address,
            phone=phone,
            email=email,
            inn=inn or None,
            ogrn=ogrn or None,
            contract_number=contract or None,
            debt=debt or Decimal("0.00"),
            due_date=due_date,
            last_payment_amount=paid,
            last_payment_date=paid_on,
            vip=vip,
            consent=consent,
        )

    def meter(self) -> Meter | None:
        serial = self.required("meter_serial")
        zones = self.whole("meter_zones", 1, 3, "a meter has 1, 2 or 3 tariff zones", True)
        digits = self.whole("meter_digits", 4, 9, "a meter register shows 4 to 9 digits", True)
        due = self.day("meter_verification_due", required=True)
        installed = self.day("meter_installed_on", required=True, past=True)
        if due is not None and installed is not None and due < installed:
            self.fail("meter_verification_due", "falls before the meter was installed")
        if not serial or zones is None or digits is None or due is None or installed is None:
            return None
        return Meter(0, 0, serial, ZONE_SETS[zones], digits, due, installed)

    def readings(self, meter: Meter) -> tuple[Reading, ...]:
        columns = {zone: READING_COLUMNS[zone] for zone in meter.zones}
        if meter.zones == (Zone.TOTAL,) and not self.text(columns[Zone.TOTAL]):
            columns[Zone.TOTAL] = READING_COLUMNS[Zone.DAY]  # one register: "day" means total
        for zone, column in READING_COLUMNS.items():
            if self.text(column) and column not in columns.values():
                self.fail(column, f"a {len(meter.zones)}-zone meter has no {zone} register")
        given = {zone: self.text(column) for zone, column in columns.items()}
        if not any(given.values()):
            return ()
        taken = self.day("last_reading_date", past=True) or self.today
        readings = []
        for zone, column in columns.items():
            if not given[zone]:
                self.fail(column, f"missing: a {len(meter.zones)}-zone meter has {_zones(meter)}")
                continue
            value = self.whole(column, 0, 10**18, "not a whole number of kWh")
            if value is not None and len(str(value)) > meter.digits:
                self.fail(column, f"{value} has more digits than the meter's {meter.digits}")
            elif value is not None:
                at = datetime.combine(taken, time(), local_zone())
                readings.append(Reading(0, zone, value, at, Channel.IMPORT))
        return tuple(readings)


def cell_problem(column: str, cell: str) -> str | None:
    """Why a cell cannot be taken whatever its column's own rules say, if it cannot."""
    return text_problem(
        cell,
        STORED_TEXT_LENGTHS.get(column, MAX_CELL_LENGTH),
        line_breaks=column in MULTILINE_COLUMNS,
        formula_checked=column in FORMULA_CHECKED,
    )


def _zones(meter: Meter) -> str:
    return " and ".join(", ".join(meter.zones).rsplit(", ", 1))
