"""The prompt catalog: every text the engine speaks, in a short and a full variant.

Short variants are for callers who know the menu and barge in; full variants explain
more and are played after a wrong or missing input, or on request (IVR-5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

DEFAULT_CATALOG = Path(__file__).with_name("catalog_ru.yaml")
Variant = Literal["short", "full"]
_PROMPT_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the file and the prompt."""


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
    """Read a catalog: ``id: {short: …, full: …}`` or ``id: text`` for one variant."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogError(f"{path}: cannot read the prompt catalog: {error}") from None
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: the catalog must map prompt ids to texts")
    prompts = {}
    for prompt_id, value in raw.items():
        if not isinstance(prompt_id, str) or not _PROMPT_ID.match(prompt_id):
            raise CatalogError(f"{path}: prompt id {prompt_id!r} must be lower_snake_case")
        if isinstance(value, str):
            short = full = value
        elif isinstance(value, dict) and set(value) <= {"short", "full"} and value:
            full = value.get("full") or value.get("short") or ""
            short = value.get("short") or full
        else:
            raise CatalogError(f"{path}: prompt {prompt_id!r} needs a text or short/full texts")
        if not isinstance(short, str) or not isinstance(full, str) or not full.strip():
            raise CatalogError(f"{path}: prompt {prompt_id!r} has an empty or non-text variant")
        prompts[prompt_id] = Prompt(prompt_id, short.strip(), full.strip())
    return PromptCatalog(prompts, path)
