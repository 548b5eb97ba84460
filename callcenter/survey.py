"""The post-call survey's rules (CC-11): whom it is offered to, and what a key pressed
in answer means. Pure: the last offer and the clock's time come in.

A customer is the identified account, else the caller's number; an offer to either
counts, so a customer who called once identified and once not is still asked once.
"Once a month" is a rolling span (``survey_interval_days``, 30 by default), never two
offers within it. VIP customers are not asked (their personal managers hear them),
nor are callers whose number is unknown and who gave no account (nothing would stop
asking them every call). Campaign calls never reach the survey: it follows the inbound
IVR's operator calls only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from customers.identifiers import normalise_phone

RESOLVED_PROMPT = "survey_resolved"
RATING_PROMPT = "survey_rating"
WRONG_KEY_PROMPT = "survey_wrong_key"
THANKS_PROMPT = "survey_thanks"
UNFINISHED_PROMPT = "goodbye"
PROMPTS = (RESOLVED_PROMPT, RATING_PROMPT, WRONG_KEY_PROMPT, THANKS_PROMPT, UNFINISHED_PROMPT)
"""The catalog's prompts the survey plays."""


@dataclass(frozen=True)
class SurveyRules:
    enabled: bool = True
    interval: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class AnsweredCall:
    """An operator call that ended with the caller still on the line."""

    uniqueid: str
    queue: str
    operator: str
    """The operator's login."""
    caller_id: str
    account_number: str | None = None
    vip: bool = False


@dataclass(frozen=True)
class Customer:
    key: str
    """``account:<number>``, or ``phone:<7…>`` for a caller who gave no account."""
    phone: str | None
    """The caller's number, 11 digits from 7, when it is a phone number at all."""


class Skip(StrEnum):
    """Why the survey is not offered on a call."""

    SWITCHED_OFF = "switched_off"
    VIP = "vip"
    UNKNOWN_CUSTOMER = "unknown_customer"


def customer_of(call: AnsweredCall) -> Customer | None:
    """Who the caller is for the survey's once-a-month; None when neither an account
    nor a phone number tells."""
    try:
        phone: str | None = normalise_phone(call.caller_id)
    except ValueError:
        phone = None
    if call.account_number:
        return Customer(f"account:{call.account_number}", phone)
    return None if phone is None else Customer(f"phone:{phone}", phone)


def excluded(rules: SurveyRules, call: AnsweredCall) -> Skip | None:
    """What rules the call out whenever the customer was last offered the survey."""
    if not rules.enabled:
        return Skip.SWITCHED_OFF
    if call.vip:
        return Skip.VIP
    return Skip.UNKNOWN_CUSTOMER if customer_of(call) is None else None


def due(rules: SurveyRules, last_offered: datetime | None, now: datetime) -> bool:
    """Whether a customer last offered the survey at ``last_offered`` may be now."""
    return last_offered is None or now - last_offered >= rules.interval


@dataclass(frozen=True)
class Question:
    name: str
    prompt: str
    keys: str
    """The keys that answer it."""


RESOLVED = Question("resolved", RESOLVED_PROMPT, "12")
"""Was the question resolved: 1 yes, 2 no."""
RATING = Question("rating", RATING_PROMPT, "12345")
"""The operator's mark from 1 to 5."""
QUESTIONS = (RESOLVED, RATING)


class Heard(StrEnum):
    ANSWERED = "answered"
    WRONG_KEY = "wrong_key"
    """A key that answers nothing (``#`` alone included): the question is asked again once."""
    SILENCE = "silence"
    """No key within the timeout: the survey ends."""


def judge(question: Question, digits: str, timed_out: bool) -> Heard:
    """What the caller's entry at ``question`` is."""
    if not digits:
        return Heard.SILENCE if timed_out else Heard.WRONG_KEY
    return Heard.ANSWERED if len(digits) == 1 and digits in question.keys else Heard.WRONG_KEY


@dataclass(frozen=True)
class SurveyAnswers:
    resolved: bool | None = None
    rating: int | None = None

    @property
    def completed(self) -> bool:
        return self.resolved is not None and self.rating is not None

    def with_answer(self, question: Question, key: str) -> SurveyAnswers:
        """These answers and ``key``, judged :attr:`Heard.ANSWERED`, to ``question``."""
        if question.name == RESOLVED.name:
            return SurveyAnswers(key == "1", self.rating)
        return SurveyAnswers(self.resolved, int(key))


@dataclass(frozen=True)
class SurveyOffer:
    """One offer as stored: the call, whom it was offered to and what they answered."""

    uniqueid: str
    customer_key: str
    queue: str
    operator: str
    offered_at: datetime
    answers: SurveyAnswers
    id: int | None = None

    @property
    def completed(self) -> bool:
        return self.answers.completed
