"""Menu trees as loaded from ``dialplans/*.yaml``: one tree per contact-center line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

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


def shown(value: object) -> str:
    """A wrong value as a problem quotes it, cut short (it may be a whole subtree)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def dialled_numbers(given: Any) -> tuple[tuple[str, ...], list[str]]:
    """The numbers of a line as written in its tree, and the problems with them.

    A single text is taken as the line's one number; a bare YAML number is refused,
    for it loses leading zeros and '+' (and ``0123`` would be read as octal).
    """
    if given is None or given == []:
        return (), ["'numbers' must list the dialled numbers of the line"]
    numbers: list[str] = []
    problems: list[str] = []
    for number in given if isinstance(given, list) else [given]:
        if isinstance(number, int | float) and not isinstance(number, bool):
            problems.append(
                f'numbers: write each number as text in quotes ("{number}"); '
                "a bare number loses its leading zeros and '+'"
            )
        elif not isinstance(number, str) or not normalise_number(number):
            problems.append(
                f"numbers: {shown(number)} is not a dialled number; write each as text "
                'in quotes, e.g. "8-800-222-49-02"'
            )
        else:
            numbers.append(normalise_number(number))
    return tuple(numbers), problems
