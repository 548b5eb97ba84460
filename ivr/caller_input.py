"""Getting the caller's choice on a menu level, by keypad or by voice (IVR-2, IVR-4).

Keypad: one GET DATA per level; any key barges into the prompt, ``#`` alone comes
back empty without ``(timeout)``. Voice (when a speech model is set and the caller's
speech has not failed twice, see :attr:`CallContext.voice_on`): the prompt plays with
every key as an escape, then the caller's words are matched to the level's keywords.
A key always counts.
"""

from __future__ import annotations

from typing import Protocol

from ivr.call_context import CallContext
from ivr.menu import BACK_KEY, HELP_KEY, OPERATOR_KEY, MenuNode
from ivr.navigator import Key, MenuInput, NoInput
from ivr.speech_input import ALL_KEYS
from prompts.russian_numbers import cardinal

GLOBAL_WORDS = {
    "оператор": OPERATOR_KEY,
    "назад": BACK_KEY,
    "повторить": HELP_KEY,
    "помощь": HELP_KEY,
}


class ChoiceReader(Protocol):
    async def read_choice(self, ctx: CallContext, prompt_file: str, menu: MenuNode) -> MenuInput:
        """Play ``prompt_file`` (interruptible) and return what the caller chose."""
        ...


def menu_words(menu: MenuNode) -> dict[str, str]:
    """Every word that chooses an item on this level, and its key: the item's keywords,
    the key's number said aloud ("два"), and the words that work on every level."""
    words = dict(GLOBAL_WORDS)
    for key, node in menu.items.items():
        words[cardinal(int(key))] = key
        for word in node.words:
            words[word.lower()] = key
    return words


def choice_in(text: str, words: dict[str, str]) -> str | None:
    for word in text.split():
        if word in words:
            return words[word]
    return None


class MenuChoiceReader:
    def __init__(self, keypad_timeout_ms: int = 5000) -> None:
        self.keypad_timeout_ms = keypad_timeout_ms

    async def read_choice(self, ctx: CallContext, prompt_file: str, menu: MenuNode) -> MenuInput:
        call, listener = ctx.call, ctx.services.listener
        if listener is None or not ctx.voice_on:
            entered = await call.read_digits(prompt_file, self.keypad_timeout_ms, max_digits=1)
            if entered.digits:
                return Key(entered.digits)
            return NoInput() if entered.timed_out else Key(HELP_KEY)
        key = await call.play([prompt_file], escape=ALL_KEYS)
        if key is not None:
            return Key(key)
        words = menu_words(menu)
        heard = await listener.listen(call, list(words))
        chosen = heard.key or choice_in(heard.text, words)
        if chosen is not None:
            return Key(chosen)
        ctx.voice_failures += 1
        return NoInput()
