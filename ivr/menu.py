"""Menu trees as loaded from ``dialplans/*.yaml``: one tree per contact-center line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

NodeKind = Literal["menu", "info", "action", "operator"]
BACK_KEY = "*"
OPERATOR_KEY = "0"
HELP_KEY = "#"
ITEM_KEYS = "123456789"


@dataclass(frozen=True)
class MenuNode:
    id: str
    kind: NodeKind
    topic: str
    level: int
    prompt: str | None = None
    items: dict[str, MenuNode] = field(default_factory=dict)
    action: str | None = None
    queue: str | None = None
    wait_seconds: int | None = None
    words: tuple[str, ...] = ()

    def walk(self) -> Iterator[MenuNode]:
        yield self
        for child in self.items.values():
            yield from child.walk()


@dataclass(frozen=True)
class MenuTree:
    """The menu of one line: the numbers that reach it, its root, its operator."""

    line: str
    title: str
    numbers: tuple[str, ...]
    root: MenuNode
    operator: MenuNode
    source: Path

    def nodes(self) -> Iterator[MenuNode]:
        yield from self.root.walk()
        yield self.operator


def normalise_number(number: str) -> str:
    """Digits only: ``8-800-222-49-02`` and ``88002224902`` are the same number."""
    return "".join(char for char in number if char.isdigit())
