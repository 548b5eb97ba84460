"""Settings, read from ``CALLGRID_*`` environment variables with working defaults.

The defaults run the engine on one machine: SQLite and rendered prompts under
``./var/``, FastAGI on 127.0.0.1:4573, AMI to 127.0.0.1:5038, the web on :8080.
Every limit from the standard is a setting here, not a constant in code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from ivr.menu_loader import MenuLimits

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    var_dir: Path = Path("var")
    database_url: str = ""
    dialplans_dir: Path = PROJECT_ROOT / "dialplans"
    prompt_catalog: Path = PROJECT_ROOT / "prompts" / "catalog_ru.yaml"
    prompts_dir: Path = Path("")
    asterisk_prompts_dir: str = ""
    messages_dir: str = ""
    """Where Asterisk records answering-machine messages; the engine must read it too."""
    vosk_model: str = ""
    """A vosk model directory (vosk-model-small-ru-0.22); empty: keypad only."""
    speech_dir: str = ""
    """Where the engine reads the caller's recorded utterances…"""
    asterisk_speech_dir: str = ""
    """…and where Asterisk writes them (the same directory, seen from Asterisk)."""
    agi_host: str = "127.0.0.1"
    agi_port: int = 4573
    agi_reply_timeout: float = 10.0
    ami_enabled: bool = True
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_username: str = "callgrid"
    ami_secret: str = "callgrid"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    keypad_timeout_ms: int = 5000
    max_retries: int = 2
    max_levels: int = 4
    max_items: int = 7
    max_level_speech_seconds: float = 60.0
    max_operator_wait_seconds: int = 60

    def __post_init__(self) -> None:
        var_dir = self.var_dir.resolve()
        object.__setattr__(self, "var_dir", var_dir)
        if not self.database_url:
            object.__setattr__(
                self, "database_url", f"sqlite+aiosqlite:///{var_dir / 'callgrid.db'}"
            )
        if self.prompts_dir == Path(""):
            object.__setattr__(self, "prompts_dir", var_dir / "prompts")
        if not self.messages_dir:
            object.__setattr__(self, "messages_dir", str(var_dir / "messages"))
        if not self.speech_dir:
            object.__setattr__(self, "speech_dir", str(var_dir / "utterances"))
        if not self.asterisk_speech_dir:
            object.__setattr__(self, "asterisk_speech_dir", self.speech_dir)
        if not self.asterisk_prompts_dir:
            object.__setattr__(self, "asterisk_prompts_dir", str(self.prompts_dir.resolve()))

    @property
    def menu_limits(self) -> MenuLimits:
        return MenuLimits(
            max_levels=self.max_levels,
            max_items=self.max_items,
            max_level_speech_seconds=self.max_level_speech_seconds,
            max_operator_wait_seconds=self.max_operator_wait_seconds,
        )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for item in fields(cls):
            name = f"CALLGRID_{item.name.upper()}"
            if name not in environ:
                continue
            raw = environ[name]
            kind = str(item.type)
            try:
                if kind == "int":
                    values[item.name] = int(raw)
                elif kind == "float":
                    values[item.name] = float(raw)
                elif kind == "bool":
                    values[item.name] = _boolean(raw)
                elif kind == "Path":
                    values[item.name] = Path(raw)
                else:
                    values[item.name] = raw
            except ValueError:
                raise SettingsError(f"{name}={raw!r} is not a valid {kind}") from None
        return cls(**values)  # type: ignore[arg-type]


def _boolean(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "yes", "true", "on"}:
        return True
    if lowered in {"0", "no", "false", "off"}:
        return False
    raise ValueError(raw)
