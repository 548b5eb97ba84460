"""Loading menu trees from YAML, checking every limit of the standard (IVR-6).

A tree is rejected when it is loaded, never halfway through a call: more than 4 menu
levels (the operator being the 5th), more than 7 items on a level, more than 60 s of
speech on a level (measured from the rendered audio), an operator wait over 60 s, or
a reference to a prompt, action or key that does not exist. Every breach is reported,
each naming the file and the node (or the line, for a mistake in the YAML itself,
which ``ivr.menu_yaml`` reads strictly).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ivr.menu import ITEM_KEYS, MenuNode, MenuTree, NodeKind, dialled_numbers, shown
from ivr.menu_yaml import MAX_TREE_BYTES, TreeTextError, read_tree_yaml
from prompts.catalog import PromptCatalog, Variant

SpeechDuration = Callable[[str, Variant], float | None]
NODE_KINDS: tuple[NodeKind, ...] = ("menu", "info", "action", "operator")
QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""A queue name Asterisk takes as one plain argument: nothing that could add options
(``,``) or a second command (a line break) to ``Queue()``."""


@dataclass(frozen=True)
class MenuLimits:
    """The standard's limits on a menu (ch.4 s.2 p.11.4); each is a setting."""

    max_levels: int = 4
    max_items: int = 7
    max_level_speech_seconds: float = 60.0
    max_operator_wait_seconds: int = 60


class MenuError(ValueError):
    """One or more breaches in a menu file; ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _TreeReader:
    def __init__(
        self,
        source: Path,
        catalog: PromptCatalog,
        speech: SpeechDuration,
        actions: Collection[str],
        limits: MenuLimits,
    ) -> None:
        self.source = source
        self.catalog = catalog
        self.speech = speech
        self.actions = actions
        self.limits = limits
        self.problems: list[str] = []
        self.seen_ids: set[str] = set()

    def fail(self, where: str | None, message: str) -> None:
        """A problem of a node, or of the file itself when ``where`` is None."""
        place = f"{self.source}: node {where}" if where is not None else str(self.source)
        self.problems.append(f"{place}: {message}")

    def text(self, raw: Mapping[Any, Any], key: str, where: str | None) -> str | None:
        """An optional text field; a number, a list or yes/no in its place is a problem."""
        value = raw.get(key)
        if value is None or isinstance(value, str):
            return value
        self.fail(where, f"'{key}' must be text, not {shown(value)}")
        return None

    def node(self, raw: Any, level: int, trail: str) -> MenuNode | None:
        if not isinstance(raw, dict):
            self.fail(trail, "must be a mapping with at least 'id' and 'type'")
            return None
        node_id = (self.text(raw, "id", f"'?' ({trail})") or "").strip()
        where = f"{node_id or '?'!r} ({trail})"
        if not node_id and isinstance(raw.get("id"), str | None):
            self.fail(where, "has no id")
        elif node_id in self.seen_ids:
            self.fail(where, f"id {node_id!r} is used twice")
        self.seen_ids.add(node_id)
        kind = raw.get("type", "menu" if "items" in raw else None)
        if kind not in NODE_KINDS:
            self.fail(where, f"type must be one of {', '.join(NODE_KINDS)}, not {shown(kind)}")
            return None
        kind = cast(NodeKind, kind)
        if kind != "menu" and "items" in raw:
            self.fail(where, "only a menu node can have 'items'; make it 'type: menu'")
        words = raw.get("words", [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            self.fail(where, "'words' must be a list of voice keywords")
            words = []
        operator = kind == "operator"
        node = MenuNode(
            id=node_id,
            kind=kind,
            topic=self.text(raw, "topic", where) or node_id,
            level=level,
            prompt=self.text(raw, "prompt", where),
            action=self.text(raw, "action", where),
            queue=self.queue(raw, where) if operator else None,
            wait_seconds=self.wait_seconds(raw, where) if operator else None,
            words=tuple(words),
            items=self.items(raw, level, where, trail) if kind == "menu" else {},
        )
        self.check(node, raw, where)
        return node

    def items(
        self, raw: Mapping[str, Any], level: int, where: str, trail: str
    ) -> dict[str, MenuNode]:
        if level > self.limits.max_levels:
            self.fail(
                where,
                f"is a menu on level {level}; at most {self.limits.max_levels} "
                "menu levels are allowed, the operator being the next one",
            )
        items = raw.get("items")
        if not isinstance(items, dict) or not items:
            self.fail(where, "a menu needs 'items': a mapping of keys to nodes")
            return {}
        if len(items) > self.limits.max_items:
            self.fail(
                where,
                f"has {len(items)} items on one level; at most {self.limits.max_items} are allowed",
            )
        children = {}
        taken: set[str] = set()
        for given_key, child in items.items():
            key = str(given_key)
            if len(key) != 1 or key not in ITEM_KEYS:
                self.fail(
                    where,
                    f"item key {shown(key)} must be one digit 1-9 "
                    "(0 is the operator, * back and # help on every level)",
                )
                continue
            if key in taken:
                self.fail(where, f"item key '{key}' is given twice (once quoted, once not)")
                continue
            taken.add(key)
            node = self.node(child, level + 1, f"{trail} > {key}")
            if node is not None:
                children[key] = node
        return children

    def queue(self, raw: Mapping[str, Any], where: str) -> str | None:
        queue = raw.get("queue")
        if queue is None or queue == "":
            self.fail(where, "an operator node needs a 'queue'")
        elif not isinstance(queue, str) or not QUEUE_NAME.fullmatch(queue):
            self.fail(
                where,
                f"queue {shown(queue)} must be a plain Asterisk queue name: Latin letters, "
                "digits, '_' and '-', at most 64 characters",
            )
        elif queue == "general":
            self.fail(
                where,
                "a queue cannot be named 'general': queues.conf keeps that name for its settings",
            )
        else:
            return queue
        return None

    def wait_seconds(self, raw: Mapping[str, Any], where: str) -> int | None:
        limit = self.limits.max_operator_wait_seconds
        wait = raw.get("wait_seconds", limit)
        if isinstance(wait, bool) or not isinstance(wait, int) or wait < 1:
            self.fail(
                where,
                f"wait_seconds must be a whole number of seconds from 1 to {limit}, "
                f"not {shown(wait)}",
            )
        elif wait > limit:
            self.fail(where, f"waits {wait} s for an operator; at most {limit} s are allowed")
        else:
            return wait
        return None

    def check(self, node: MenuNode, raw: Mapping[str, Any], where: str) -> None:
        """The references of a node; a field of the wrong type is reported once, in node()."""
        if node.kind in ("menu", "info") and raw.get("prompt") is None:
            article = "an" if node.kind == "info" else "a"
            self.fail(where, f"{article} {node.kind} node needs a 'prompt'")
        if node.prompt is not None:
            self.check_speech(node.prompt, where)
        if (
            node.kind == "action"
            and isinstance(raw.get("action"), str | None)
            and (node.action not in self.actions)
        ):
            known = ", ".join(sorted(self.actions)) or "none"
            self.fail(where, f"action {node.action!r} is not known (known: {known})")

    def check_speech(self, prompt_id: str, where: str) -> None:
        if prompt_id not in self.catalog:
            self.fail(where, f"prompt {prompt_id!r} is not in the catalog {self.catalog.source}")
            return
        for variant in ("short", "full"):
            seconds = self.speech(prompt_id, variant)
            if seconds is None:
                self.fail(where, f"prompt {prompt_id!r} ({variant}) has not been rendered")
            elif seconds > self.limits.max_level_speech_seconds:
                self.fail(
                    where,
                    f"speaks {seconds:.1f} s ({prompt_id}, {variant}); at most "
                    f"{self.limits.max_level_speech_seconds:g} s of speech on a level",
                )


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
    reader = _TreeReader(source, catalog, speech, actions, limits or MenuLimits())
    line = reader.text(raw, "line", None) or source.stem
    title = reader.text(raw, "title", None) or source.stem
    numbers, number_problems = dialled_numbers(raw.get("numbers"))
    reader.problems.extend(f"{source}: {problem}" for problem in number_problems)
    root = reader.node(raw.get("menu"), 1, "menu")
    operator_raw = raw.get("operator") or {}
    operator = None
    if isinstance(operator_raw, dict):
        defaults = {"id": "operator", "type": "operator", "topic": "Оператор"}
        operator = reader.node({**defaults, **operator_raw}, 5, "operator")
    else:
        reader.fail(None, "'operator' must be a mapping such as {queue: operators}")
    if root is not None and root.kind != "menu":
        reader.problems.append(f"{source}: the top of 'menu' must be a menu node")
    if reader.problems or root is None or operator is None:
        raise MenuError(reader.problems)
    return MenuTree(
        line=line, title=title, numbers=numbers, root=root, operator=operator, source=source
    )


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
