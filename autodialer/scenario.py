"""A campaign's message for one customer: the scenario's template with the customer's
values, spoken (for the phone: money, dates and numbers in Russian words, AD-5) or
written (SMS, e-mail, cabinet).

A template names values in braces: ``{account}``, ``{debt}``, ``{due_date}``,
``{restriction_date}``, ``{verification_due}``. Anything else in braces is refused
when the scenario is saved, so a customer never hears a brace.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from prompts.russian_numbers import date_phrase, digits, money

VARIABLES = ("account", "debt", "due_date", "restriction_date", "verification_due")
MAX_TEMPLATE_CHARACTERS = 600
_SPACES = re.compile(r"\s+")


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message says why."""


@dataclass(frozen=True)
class MessageValues:
    account_number: str
    debt: Decimal
    due_date: date | None = None
    restriction_date: date | None = None
    verification_due: date | None = None


SAMPLE_VALUES = MessageValues(
    account_number="7012345678",
    debt=Decimal("987654.37"),
    due_date=date(2026, 9, 28),
    restriction_date=date(2026, 9, 28),
    verification_due=date(2026, 9, 28),
)
"""The longest values a message says, for measuring a scenario before it is saved."""


def template_problems(template: str) -> list[str]:
    """What is wrong with a template: unknown names, stray braces, too long, empty."""
    if not template.strip():
        return ["the text is empty"]
    if len(template) > MAX_TEMPLATE_CHARACTERS:
        return [f"the text is longer than {MAX_TEMPLATE_CHARACTERS} characters"]
    try:
        fields = [name for _, name, spec, _ in string.Formatter().parse(template) if name]
    except ValueError as error:
        return [f"braces do not match: {error}"]
    problems = []
    for name in fields:
        if name not in VARIABLES:
            known = ", ".join(f"{{{known}}}" for known in VARIABLES)
            problems.append(f"{{{name}}} is not a value the engine knows ({known})")
    return problems


def spoken(template: str, values: MessageValues) -> str:
    """The text the phone message speaks."""
    return _filled(
        template,
        account=digits(values.account_number),
        debt=money(values.debt),
        due_date=_spoken_date(values.due_date),
        restriction_date=_spoken_date(values.restriction_date),
        verification_due=_spoken_date(values.verification_due),
    )


def written(template: str, values: MessageValues) -> str:
    """The text an SMS, an e-mail or a cabinet notice shows."""
    rubles = f"{values.debt:,.2f}".replace(",", " ").replace(".", ",")
    return _filled(
        template,
        account=values.account_number,
        debt=f"{rubles} руб.",
        due_date=_written_date(values.due_date),
        restriction_date=_written_date(values.restriction_date),
        verification_due=_written_date(values.verification_due),
    )


def _filled(template: str, **values: str) -> str:
    problems = template_problems(template)
    if problems:
        raise ScenarioError("; ".join(problems))
    return _SPACES.sub(" ", template.format(**values)).strip()


def _spoken_date(day: date | None) -> str:
    return date_phrase(day, case="genitive") if day else "указанного срока"


def _written_date(day: date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else "указанного срока"
