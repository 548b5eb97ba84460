"""What an IVR action gets to work with during one call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from callgrid.clock import Clock
from ivr.call_record import CallbackBook
from ivr.menu import MenuTree
from prompts.catalog import Variant
from telephony.agi import AgiCall


class PromptFiles:
    """Names prompt files as Asterisk finds them: ``<dir>/<prompt>-<variant>``."""

    def __init__(self, directory: str) -> None:
        self.directory = directory.rstrip("/")

    def __call__(self, prompt_id: str, variant: Variant = "short") -> str:
        return f"{self.directory}/{prompt_id}-{variant}"


@dataclass
class CallContext:
    call: AgiCall
    call_id: str
    tree: MenuTree
    prompts: PromptFiles
    callbacks: CallbackBook
    clock: Clock
    topic: str | None = None


Action = Callable[[CallContext], Awaitable[None]]
