"""Getting the caller's choice on a menu level.

The keypad reader uses one GET DATA per level: any key barges into the prompt, ``#``
alone comes back empty without ``(timeout)``. A voice reader plugs in behind the same
:class:`ChoiceReader` protocol and maps spoken keywords to the same keys.
"""

from __future__ import annotations

from typing import Protocol

from ivr.menu import HELP_KEY, MenuNode
from ivr.navigator import Key, MenuInput, NoInput
from telephony.agi import AgiCall


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
