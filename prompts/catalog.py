"""The prompt catalog: every text the engine speaks, in a short and a full variant.

Short variants are for callers who know the menu and barge in; full variants explain
more and are played after a wrong or missing input, or on request (IVR-5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from customers.cell_text import control_character, shortened
from prompts.strict_yaml import YamlLimits, YamlTextError, read_strict_yaml

DEFAULT_CATALOG = Path(__file__).with_name("catalog_ru.yaml")
Variant = Literal["short", "full"]
_PROMPT_ID = re.compile(r"^[a-z][a-z0-9_]*$")
CATALOG_LIMITS = YamlLimits(
    kind="prompt catalog",
    max_bytes=1024 * 1024,
    usual_size="some tens of kilobytes",
    max_number=None,  # a number is never a prompt id nor a text, and is refused as such
)
_TEXT_BREAKS = "\n\t"
"""What a text may hold besides printable characters: a ``|`` block keeps its lines."""


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the file and the prompt or line."""


@dataclass(frozen=True)
class Prompt:
    id: str
    short: str
    full: str

    def text(self, variant: Variant) -> str:
        return self.short if variant == "short" else self.full


@dataclass(frozen=True)
class PromptCatalog:
    prompts: dict[str, Prompt]
    source: Path

    def __contains__(self, prompt_id: object) -> bool:
        return prompt_id in self.prompts

    def __getitem__(self, prompt_id: str) -> Prompt:
        return self.prompts[prompt_id]

    def text(self, prompt_id: str, variant: Variant = "full") -> str:
        return self.prompts[prompt_id].text(variant)


def load_catalog(path: Path = DEFAULT_CATALOG) -> PromptCatalog:
    """Read a catalog: ``id: {short: …, full: …}`` or ``id: text`` for one variant.

    It is read as strictly as a menu tree (:mod:`prompts.strict_yaml`): a prompt given
    twice, an anchor, text that is not UTF-8 or a value YAML cannot build is refused.
    """
    try:
        with path.open("rb") as file:
            data = file.read(CATALOG_LIMITS.max_bytes + 1)
        raw = read_strict_yaml(data, CATALOG_LIMITS)
    except (OSError, YamlTextError) as error:
        raise CatalogError(f"{path}: cannot read the prompt catalog: {error}") from None
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: the catalog must map prompt ids to texts")
    prompts = {}
    for prompt_id, value in raw.items():
        if not isinstance(prompt_id, str) or not _PROMPT_ID.match(prompt_id):
            raise CatalogError(f"{path}: prompt id {_quoted(prompt_id)} must be lower_snake_case")
        prompts[prompt_id] = _prompt(path, prompt_id, value)
    return PromptCatalog(prompts, path)


def _prompt(path: Path, prompt_id: str, value: object) -> Prompt:
    if isinstance(value, str):
        short = full = value
    elif isinstance(value, dict) and set(value) <= {"short", "full"} and value:
        full = value.get("full") or value.get("short") or ""
        short = value.get("short") or full
    else:
        raise CatalogError(f"{path}: prompt {_quoted(prompt_id)} needs a text or short/full texts")
    if not isinstance(short, str) or not isinstance(full, str) or not full.strip():
        raise CatalogError(f"{path}: prompt {_quoted(prompt_id)} has an empty or non-text variant")
    for text in (short, full):
        character = control_character(text, _TEXT_BREAKS)
        if character is not None:
            raise CatalogError(
                f"{path}: prompt {_quoted(prompt_id)} has a control character ({character})"
            )
    return Prompt(prompt_id, short.strip(), full.strip())


def _quoted(prompt_id: object) -> str:
    """A prompt id that is not one, as a message quotes it: ``0xfff…`` is read as an
    integer that ``repr`` refuses to write out beyond 4,300 digits."""
    if isinstance(prompt_id, int) and prompt_id.bit_length() > 64:
        return f"<a number of {prompt_id.bit_length():,} bits>"
    return shortened(repr(prompt_id))
