"""Settings: the engine's own, and one section per capability, each a frozen dataclass.

Values come from ``CALLGRID_<NAME>`` environment variables and from an optional TOML
file (``CALLGRID_SETTINGS_FILE``; the engine's keys at the top level, a capability's
under ``[<its section>]``); the environment wins. Every value is checked when the
engine starts, and a bad one stops it with an error that names the key. The defaults
run the engine on one machine: SQLite and files under ``./var/``, FastAGI on
127.0.0.1:4573, AMI to 127.0.0.1:5038, the web on :8080. Every number the standard
sets is a setting of the capability it belongs to, not a constant in code.
"""

from __future__ import annotations

import os
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from telephony.agi.peers import parse_peers

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENV_PREFIX = "CALLGRID_"
SECRET_KEYS = frozenset({"database_url", "ami_secret"})
"""Settings whose values no message repeats."""


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Section:
    """A capability's settings. ``ranges`` bounds numbers; ``check`` adds other rules."""

    name: ClassVar[str] = ""
    ranges: ClassVar[Mapping[str, tuple[float, float]]] = {}

    def resolved(self, engine: Settings) -> Self:
        """Fill in defaults that depend on the engine's settings (paths under var/)."""
        return self

    def check(self) -> Iterable[tuple[str, str]]:
        """Problems as (field, reason) beyond types and ranges."""
        return ()


S = TypeVar("S", bound=Section)


@dataclass(frozen=True)
class Settings:
    var_dir: Path = Path("var")
    database_url: str = ""
    local_zone: str = "Asia/Tomsk"
    """The region's time: hours, calendars and every date spoken or imported are in it."""
    agi_host: str = "127.0.0.1"
    agi_port: int = 4573
    agi_reply_timeout: float = 10.0
    agi_allowed_peers: str = "127.0.0.0/8,::1"
    """Addresses (or networks) of the Asterisk servers allowed to open FastAGI sessions."""
    drain_seconds: float = 30.0
    """On SIGTERM: how long calls in progress go on before the engine hands each one back
    to the dialplan (which takes the caller on to another engine or the operators)."""
    hand_back_seconds: float = 30.0
    """Then how long the engine waits for each call to reach its next command, where it
    is handed back; a call still in a long command after that is closed."""
    ami_enabled: bool = True
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_username: str = "callgrid"
    ami_secret: str = "callgrid"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    web_session_lifetime: float = 12 * 3600.0
    """Seconds a web session lasts from sign-in, however busy."""
    web_session_idle: float = 1800.0
    """Seconds without a request after which a web session ends."""
    web_secure_cookies: bool = False
    """Mark the session cookie Secure even over http (https ends at a proxy in front)."""
    web_sign_in_failures: int = 5
    """Failed sign-ins for one login, or from one address, that stop further attempts."""
    web_sign_in_window: float = 900.0
    """Seconds over which failed sign-ins are counted."""
    web_live_interval: float = 5.0
    """Seconds between checks of the engine state the live page shows."""
    sections: Mapping[type[Section], Section] = field(default_factory=dict)

    ranges: ClassVar[Mapping[str, tuple[float, float]]] = {
        "agi_port": (0, 65535),
        "ami_port": (1, 65535),
        "web_port": (0, 65535),
        "web_session_lifetime": (60, 30 * 86400),
        "web_session_idle": (60, 86400),
        "web_sign_in_failures": (1, 1000),
        "web_sign_in_window": (1, 86400),
        "web_live_interval": (0.5, 3600),
        "agi_reply_timeout": (0.1, 600),
        "drain_seconds": (0, 3600),
        "hand_back_seconds": (0, 600),
    }

    def __post_init__(self) -> None:
        var_dir = self.var_dir.resolve()
        object.__setattr__(self, "var_dir", var_dir)
        if not self.database_url:
            object.__setattr__(
                self, "database_url", f"sqlite+aiosqlite:///{var_dir / 'callgrid.db'}"
            )

    def of(self, kind: type[S]) -> S:
        """A capability's section: as configured, or its defaults."""
        section = self.sections.get(kind)
        if section is None:
            section = kind().resolved(self)
        assert isinstance(section, kind)
        return section

    def with_sections(self, *sections: Section) -> Settings:
        merged = {**self.sections, **{type(s): s.resolved(self) for s in sections}}
        return replace(self, sections=merged)

    @property
    def allowed_peers(self) -> tuple[str, ...]:
        return tuple(p.strip() for p in self.agi_allowed_peers.split(",") if p.strip())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.local_zone)

    def check(self) -> Iterable[tuple[str, str]]:
        try:
            make_url(self.database_url)
        except ArgumentError:
            yield "database_url", "is not a database URL like postgresql+asyncpg://user@host/db"
        try:
            ZoneInfo(self.local_zone)
        except (ZoneInfoNotFoundError, ValueError):
            yield "local_zone", f"{self.local_zone!r} is not a time zone like Asia/Tomsk"
        try:
            parse_peers(self.allowed_peers)
        except ValueError as error:
            yield "agi_allowed_peers", str(error)

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        sections: Iterable[type[Section]] = (),
    ) -> Settings:
        """The engine's settings and the given sections, from the environment and the
        optional settings file; SettingsError names every bad key."""
        environ = os.environ if environ is None else environ
        sections = tuple(sections)
        file_name = environ.get(f"{ENV_PREFIX}SETTINGS_FILE", "")
        document = _read_file(Path(file_name)) if file_name else {}
        _refuse_unknown_keys(document, cls, sections, file_name)
        problems: list[str] = []
        engine = _build(cls, environ, _top_level(document), file_name, problems)
        built: list[Section] = []
        if engine is not None:
            for kind in sections:
                table = document.get(kind.name, {})
                section = _build(kind, environ, table, file_name, problems, engine)
                if section is not None:
                    built.append(section)
        if problems or engine is None:
            raise SettingsError("; ".join(problems))
        assert isinstance(engine, Settings)
        return engine.with_sections(*built)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except OSError as error:
        raise SettingsError(f"{ENV_PREFIX}SETTINGS_FILE: cannot read {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"settings file {path}: {error}") from None


def _top_level(document: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if not isinstance(value, dict)}


def _settable(kind: type[Any]) -> list[str]:
    return [item.name for item in fields(kind) if item.name != "sections"]


def _refuse_unknown_keys(
    document: Mapping[str, Any],
    engine: type[Settings],
    sections: tuple[type[Section], ...],
    file_name: str,
) -> None:
    known_tables = {kind.name: kind for kind in sections}
    unknown = [key for key in _top_level(document) if key not in _settable(engine)]
    for table, values in document.items():
        if not isinstance(values, dict):
            continue
        if table not in known_tables:
            unknown.append(f"[{table}]")
            continue
        names = _settable(known_tables[table])
        unknown.extend(f"{table}.{key}" for key in values if key not in names)
    if unknown:
        raise SettingsError(f"settings file {file_name}: unknown key(s) {', '.join(unknown)}")


def _build(
    kind: type[Any],
    environ: Mapping[str, str],
    table: Mapping[str, Any],
    file_name: str,
    problems: list[str],
    engine: Settings | None = None,
) -> Any:
    hints = typing.get_type_hints(kind)
    values: dict[str, Any] = {}
    where: dict[str, str] = {}
    given: dict[str, Any] = {}
    for name in _settable(kind):
        env_name = f"{ENV_PREFIX}{name.upper()}"
        if env_name in environ:
            raw: Any = environ[env_name]
            where[name] = env_name
        elif name in table:
            raw = table[name]
            section = getattr(kind, "name", "")
            where[name] = f"{section + '.' if section else ''}{name} in {file_name}"
        else:
            continue
        given[name] = raw
        try:
            values[name] = _convert(hints[name], raw, from_text=env_name in environ)
        except ValueError as error:
            problems.append(f"{where[name]}={_shown(name, raw)}: {error}")
    try:
        built = kind(**values)
    except (TypeError, ValueError) as error:
        problems.append(f"{kind.__name__}: {error}")
        return None
    if engine is not None:
        built = built.resolved(engine)
    found = _range_problems(built) + list(built.check())
    for name, reason in found:
        key = where.get(name, f"{ENV_PREFIX}{name.upper()} (default)")
        problems.append(f"{key}={_shown(name, given.get(name, getattr(built, name)))}: {reason}")
    return None if found else built


def _shown(name: str, value: Any) -> str:
    """A value as an error message may show it: never a secret or a URL with a password."""
    secret = name in SECRET_KEYS or name.endswith(("_secret", "_password"))
    return "'***'" if secret else repr(value)


def _range_problems(settings: Any) -> list[tuple[str, str]]:
    problems = []
    for name, (lowest, highest) in type(settings).ranges.items():
        value = getattr(settings, name)
        if not lowest <= value <= highest:
            problems.append((name, f"must be between {lowest:g} and {highest:g}"))
    return problems


def _convert(kind: Any, raw: Any, from_text: bool) -> Any:
    """A value of the field's type; text from the environment is parsed."""
    if isinstance(kind, types.UnionType):
        kind = next(part for part in typing.get_args(kind) if part is not type(None))
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if from_text and raw.strip().lower() in {"1", "yes", "true", "on"}:
            return True
        if from_text and raw.strip().lower() in {"0", "no", "false", "off"}:
            return False
        raise ValueError("is not yes or no")
    if kind is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if from_text:
            try:
                return int(raw)
            except ValueError:
                pass
        raise ValueError("is not a whole number")
    if kind is float:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        if from_text:
            try:
                return float(raw)
            except ValueError:
                pass
        raise ValueError("is not a number")
    if not isinstance(raw, str):
        raise ValueError("is not text")
    return Path(raw) if kind is Path else raw
