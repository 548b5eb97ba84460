"""Loading menu trees from YAML, checking every limit of the standard (IVR-6).

A tree is rejected when it is loaded, never halfway through a call: more than 4 menu
levels (the operator being the 5th), more than 7 items on a level, more than 60 s of
speech on a level (measured from the rendered audio), an operator wait over 60 s, or
a reference to a prompt, action or key that does not exist. Every breach is reported,
each naming the file and the node (or the line, for a mistake in the YAML itself,
which ``ivr.menu_yaml`` reads strictly).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from ivr.menu import MenuTree, normalise_number
from ivr.menu_nodes import MenuLimits as MenuLimits
from ivr.menu_nodes import NodeReader, SpeechDuration, shown
from ivr.menu_yaml import MAX_TREE_BYTES, TreeTextError, read_tree_yaml
from prompts.catalog import PromptCatalog

TREE_KEYS = ("line", "title", "numbers", "operator", "menu")


class MenuError(ValueError):
    """One or more breaches in a menu file; ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_tree(
    source: Path,
    catalog: PromptCatalog,
    speech: SpeechDuration,
    actions: Collection[str] = (),
    limits: MenuLimits | None = None,
) -> MenuTree:
    try:
        with source.open("rb") as file:
            data = file.read(MAX_TREE_BYTES + 1)
    except OSError as error:
        raise MenuError([f"{source}: cannot read: {error.strerror or error}"]) from None
    return parse_tree(data, source, catalog, speech, actions, limits)


def parse_tree(
    data: bytes,
    source: Path,
    catalog: PromptCatalog,
    speech: SpeechDuration,
    actions: Collection[str] = (),
    limits: MenuLimits | None = None,
) -> MenuTree:
    """The tree in ``data`` (the bytes of ``source``), or ``MenuError`` with every problem."""
    raw = _tree_mapping(data, source)
    reader = NodeReader(source, catalog, speech, actions, limits or MenuLimits())
    for key in raw:
        if key not in TREE_KEYS:
            reader.fail(None, f"unknown key {shown(key)}; a menu tree has {', '.join(TREE_KEYS)}")
    line = reader.text(raw, "line", None) or source.stem
    title = reader.text(raw, "title", None) or source.stem
    numbers, number_problems = dialled_numbers(raw.get("numbers"))
    for problem in number_problems:
        reader.fail(None, problem)
    root = reader.node(raw.get("menu"), 1, "menu")
    operator = reader.operator(raw.get("operator") or {})
    if root is not None and root.kind != "menu":
        reader.fail(None, "the top of 'menu' must be a menu node")
    if reader.problems or root is None or operator is None:
        raise MenuError(reader.problems)
    return MenuTree(
        line=line, title=title, numbers=numbers, root=root, operator=operator, source=source
    )


def _tree_mapping(data: bytes, source: Path) -> dict[Any, Any]:
    """The YAML mapping a tree is read from; MenuError when the file holds none."""
    try:
        raw = read_tree_yaml(data)
    except TreeTextError as error:
        raise MenuError([f"{source}: {error}"]) from None
    if raw is None:
        raise MenuError([f"{source}: is empty; a menu tree has line, numbers, operator and menu"])
    if not isinstance(raw, dict):
        raise MenuError(
            [f"{source}: must be a mapping with line, numbers and menu, not {shown(raw)}"]
        )
    return raw


def load_trees(
    directory: Path,
    catalog: PromptCatalog,
    speech: SpeechDuration,
    actions: Collection[str] = (),
    limits: MenuLimits | None = None,
) -> dict[str, MenuTree]:
    """Load every ``*.yaml`` tree in a directory, keyed by dialled number."""
    problems: list[str] = []
    by_number: dict[str, MenuTree] = {}
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise MenuError([f"{directory}: no menu trees (*.yaml) found"])
    for source in files:
        try:
            tree = load_tree(source, catalog, speech, actions, limits)
        except MenuError as error:
            problems.extend(error.problems)
            continue
        for number in tree.numbers:
            if number in by_number:
                problems.append(
                    f"{source}: number {number} is already the line "
                    f"{by_number[number].line!r} ({by_number[number].source.name})"
                )
            by_number[number] = tree
    if problems:
        raise MenuError(problems)
    return by_number


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
