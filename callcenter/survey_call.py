"""The post-call survey on the caller's FastAGI session (CC-11): after an operator call
the caller stayed on, if it is due, two keypad questions — was the question resolved
(1 yes, 2 no), the operator's mark from 1 to 5 — each waiting ``answer_timeout_ms``.

The offer is stored before the first question, so a caller who hangs up is counted as
offered and not completed. A wrong key asks the question again once; silence, a second
wrong key or a hang-up ends the survey. Nothing here fails the call: the operator's
conversation is over, so an error only ends the survey.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from callcenter.survey import (
    QUESTIONS,
    THANKS_PROMPT,
    UNFINISHED_PROMPT,
    WRONG_KEY_PROMPT,
    AnsweredCall,
    Heard,
    Question,
    SurveyAnswers,
    SurveyOffer,
    SurveyRules,
    customer_of,
    due,
    excluded,
    judge,
)
from callcenter.survey_store import SqlSurveys
from customers.model import Account
from prompts.catalog import Variant
from telephony.agi import AgiCall, AgiError
from telephony.interfaces import operator_login

log = logging.getLogger(__name__)
PromptFile = Callable[[str, Variant], str]
"""The file Asterisk plays for a catalog prompt and variant (the IVR names them)."""


def answered_call(
    call: AgiCall, queue: str, operator_interface: str, account: Account | None
) -> AnsweredCall:
    """The facts of an operator call the survey goes by; ``account``: the caller's, when
    the IVR identified it."""
    env = call.environment
    return AnsweredCall(
        uniqueid=env.uniqueid,
        queue=queue,
        operator=operator_login(operator_interface),
        caller_id=env.caller_id,
        account_number=None if account is None else account.number,
        vip=account is not None and account.vip,
    )


class PostCallSurvey:
    def __init__(
        self,
        store: SqlSurveys,
        clock: Callable[[], datetime],
        rules: SurveyRules,
        answer_timeout_ms: int,
    ) -> None:
        self.store = store
        self.clock = clock
        self.rules = rules
        self.answer_timeout_ms = answer_timeout_ms

    async def offer(
        self, call: AgiCall, answered: AnsweredCall, prompt: PromptFile
    ) -> SurveyOffer | None:
        """Run the survey if it is due for this call; the offer as stored, or None when
        it was not offered."""
        try:
            offer = await self._offer_if_due(answered)
        except Exception:
            log.exception("call %s: the survey could not be offered", answered.uniqueid[:64])
            return None
        if offer is None:
            return None
        answers = await self._ask_all(call, prompt)
        assert offer.id is not None
        try:
            await self.store.answered(offer.id, answers)
        except Exception:
            log.exception("call %s: the survey's answers were not stored", answered.uniqueid[:64])
        return replace(offer, answers=answers)

    async def _offer_if_due(self, answered: AnsweredCall) -> SurveyOffer | None:
        customer = customer_of(answered)
        if customer is None or excluded(self.rules, answered) is not None:
            return None
        now = self.clock()
        if not due(self.rules, await self.store.last_offered(customer), now):
            return None
        return await self.store.add_offer(answered, customer, now)

    async def _ask_all(self, call: AgiCall, prompt: PromptFile) -> SurveyAnswers:
        answers = SurveyAnswers()
        try:
            for question in QUESTIONS:
                key = await self._ask(call, question, prompt)
                if key is None:
                    break
                answers = answers.with_answer(question, key)
            closing = THANKS_PROMPT if answers.completed else UNFINISHED_PROMPT
            await call.play([prompt(closing, "short")])
        except AgiError as error:  # a hang-up, mostly: the survey ends with what it has
            log.debug("survey ended on %s: %s", call.environment.uniqueid, error)
        return answers

    async def _ask(self, call: AgiCall, question: Question, prompt: PromptFile) -> str | None:
        """The key answering ``question``; None when the caller said nothing or pressed
        a wrong key twice."""
        for attempt in range(2):
            variant: Variant = "full" if attempt else "short"
            entered = await call.read_digits(
                prompt(question.prompt, variant), self.answer_timeout_ms, 1
            )
            heard = judge(question, entered.digits, entered.timed_out)
            if heard is Heard.ANSWERED:
                return entered.digits
            if heard is Heard.SILENCE:
                return None
            if attempt == 0:
                await call.play([prompt(WRONG_KEY_PROMPT, "short")])
        return None
