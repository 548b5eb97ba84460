"""The IVR's settings: where its content lives, input timing, and the standard's menu
limits (IVR-6)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from callgrid.settings import PROJECT_ROOT, Section, Settings
from ivr.menu_loader import MenuLimits


@dataclass(frozen=True)
class IvrSettings(Section):
    name: ClassVar[str] = "ivr"
    ranges: ClassVar[dict[str, tuple[float, float]]] = {
        "keypad_timeout_ms": (1000, 60000),
        "max_retries": (0, 10),
        "max_levels": (1, 4),
        "max_items": (1, 9),
        "max_level_speech_seconds": (1, 60),
        "max_operator_wait_seconds": (1, 60),
        "identification_attempts": (1, 10),
        "answering_machine_message_seconds": (10, 600),
        "queue_log_poll_seconds": (0.5, 3600),
        "call_heartbeat_seconds": (0.1, 600),
        "call_lease_seconds": (1, 86400),
    }

    dialplans_dir: Path = PROJECT_ROOT / "dialplans"
    prompt_catalog: Path = PROJECT_ROOT / "prompts" / "catalog_ru.yaml"
    prompts_dir: Path = Path("")
    """Rendered prompts, as the engine writes them (default ``<var>/prompts``)…"""
    asterisk_prompts_dir: str = ""
    """…and as Asterisk reads them (the same directory by default)."""
    messages_dir: str = ""
    """Where Asterisk records answering-machine messages; the engine must read it too."""
    vosk_model: str = ""
    """A vosk model directory (vosk-model-small-ru-0.22); empty: keypad only."""
    speech_dir: str = ""
    """Where the engine reads the caller's recorded utterances…"""
    asterisk_speech_dir: str = ""
    """…and where Asterisk writes them (the same directory, seen from Asterisk)."""
    keypad_timeout_ms: int = 5000
    max_retries: int = 2
    max_levels: int = 4
    max_items: int = 7
    max_level_speech_seconds: float = 60.0
    max_operator_wait_seconds: int = 60
    identification_attempts: int = 3
    """Tries at an account number, INN… before the caller is handed to an operator."""
    answering_machine_message_seconds: int = 120
    """The longest message the answering machine records (IVR-10)."""
    asterisk_queue_log: str = "/var/log/asterisk/queue_log"
    """Asterisk's queue_log, read to complete calls the engine did not see end (callers
    in a queue when it stopped, calls served with no engine up); empty: not read."""
    queue_log_poll_seconds: float = 5.0
    call_heartbeat_seconds: float = 5.0
    """How often the engine marks its calls in progress as still seen…"""
    call_lease_seconds: float = 120.0
    """…and after how long unseen another engine closes them as interrupted (the engine
    serving them was killed and did not come back)."""

    def resolved(self, engine: Settings) -> IvrSettings:
        var_dir = engine.var_dir
        prompts_dir = var_dir / "prompts" if self.prompts_dir == Path("") else self.prompts_dir
        speech_dir = self.speech_dir or str(var_dir / "utterances")
        return replace(
            self,
            prompts_dir=prompts_dir,
            asterisk_prompts_dir=self.asterisk_prompts_dir or str(prompts_dir.resolve()),
            messages_dir=self.messages_dir or str(var_dir / "messages"),
            speech_dir=speech_dir,
            asterisk_speech_dir=self.asterisk_speech_dir or speech_dir,
        )

    def check(self) -> Iterable[tuple[str, str]]:
        for name in ("dialplans_dir", "prompt_catalog"):
            if not getattr(self, name).exists():
                yield name, "does not exist"

    @property
    def menu_limits(self) -> MenuLimits:
        return MenuLimits(
            max_levels=self.max_levels,
            max_items=self.max_items,
            max_level_speech_seconds=self.max_level_speech_seconds,
            max_operator_wait_seconds=self.max_operator_wait_seconds,
        )
