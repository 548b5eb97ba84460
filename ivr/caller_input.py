"""Getting the caller's choice on a menu level.

The keypad reader uses one GET DATA per level: any key barges into the prompt, ``#``
alone comes back empty without ``(timeout)``. A voice reader plugs in behind the same
:class:`ChoiceReader` protocol and maps spoken keywords to the same keys.
"""

from __future__ import annotations

from typing import Protocol
from weakref import WeakKeyDictionary

from ivr.menu import BACK_KEY, HELP_KEY, OPERATOR_KEY, MenuNode
from ivr.navigator import Key, MenuInput, NoInput
from ivr.speech_input import ALL_KEYS, Listener
from prompts.russian_numbers import cardinal
from telephony.agi import AgiCall

GLOBAL_WORDS = {
    "оператор": OPERATOR_KEY,
    "назад": BACK_KEY,
    "повторить": HELP_KEY,
    "помощь": HELP_KEY,
}
VOICE_FAILURES_BEFORE_KEYPAD = 2


class ChoiceReader(Protocol):
    async def read_choice(self, call: AgiCall, prompt_file: str, menu: MenuNode) -> MenuInput:
        """Play ``prompt_file`` (interruptible) and return what the caller chose."""
        ...


class KeypadReader:
    def __init__(self, timeout_ms: int = 5000) -> None:
        self.timeout_ms = timeout_ms

    async def read_choice(self, call: AgiCall, prompt_file: str, menu: MenuNode) -> MenuInput:
        entered = await call.read_digits(prompt_file, self.timeout_ms, max_digits=1)
        if entered.digits:
            return Key(entered.digits)
        return NoInput() if entered.timed_out else Key(HELP_KEY)


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


class VoiceMenuReader:
    """Voice or keypad on every level (IVR-2). A key always counts; a caller whose speech
    fails twice (silence, or words not understood) gets the keypad from then on (IVR-4)."""

    def __init__(self, listener: Listener, keypad: KeypadReader) -> None:
        self.listener = listener
        self.keypad = keypad
        self._failures: WeakKeyDictionary[AgiCall, int] = WeakKeyDictionary()

    async def read_choice(self, call: AgiCall, prompt_file: str, menu: MenuNode) -> MenuInput:
        if self._failures.get(call, 0) >= VOICE_FAILURES_BEFORE_KEYPAD:
            return await self.keypad.read_choice(call, prompt_file, menu)
        key = await call.play([prompt_file], escape=ALL_KEYS)
        if key is not None:
            return Key(key)
        words = menu_words(menu)
        heard = await self.listener.listen(call, list(words))
        chosen = heard.key or choice_in(heard.text, words)
        if chosen is not None:
            return Key(chosen)
        self._failures[call] = self._failures.get(call, 0) + 1
        return NoInput()
