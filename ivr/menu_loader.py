"""Loading menu trees from YAML, checking every limit of the standard (IVR-6).

A tree is rejected when it is loaded, never halfway through a call: more than 4 menu
levels (the operator being the 5th), more than 7 items on a level, more than 60 s of
speech on a level (measured from the rendered audio), an operator wait over 60 s, or
a reference to a prompt, action or key that does not exist. Every breach is reported,
each naming the file and the node.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from ivr.menu import ITEM_KEYS, MenuNode, MenuTree, NodeKind, normalise_number
from prompts.catalog import PromptCatalog, Variant

SpeechDuration = Callable[[str, Variant], float | None]
NODE_KINDS: tuple[NodeKind, ...] = ("menu", "info", "action", "operator")


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

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: node {where}: {message}")

    def node(self, raw: Any, level: int, trail: str) -> MenuNode | None:
        if not isinstance(raw, dict):
            self.fail(trail, "must be a mapping with at least 'id' and 'type'")
            return None
        node_id = str(raw.get("id", "")).strip()
        where = f"'{node_id or '?'}' ({trail})"
        if not node_id:
            self.fail(where, "has no id")
        elif node_id in self.seen_ids:
            self.fail(where, f"id '{node_id}' is used twice")
        self.seen_ids.add(node_id)
        kind = raw.get("type", "menu" if "items" in raw else None)
        if kind not in NODE_KINDS:
            self.fail(where, f"type must be one of {', '.join(NODE_KINDS)}, not {kind!r}")
            return None
        kind = cast(NodeKind, kind)
        words = raw.get("words", [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            self.fail(where, "'words' must be a list of voice keywords")
            words = []
        prompt = raw.get("prompt")
        node = MenuNode(
            id=node_id,
            kind=kind,
            topic=str(raw.get("topic", node_id)),
            level=level,
            prompt=str(prompt) if prompt is not None else None,
            action=raw.get("action"),
            queue=raw.get("queue"),
            wait_seconds=raw.get("wait_seconds", self.limits.max_operator_wait_seconds),
            words=tuple(words),
            items=self.items(raw, level, where, trail) if kind == "menu" else {},
        )
        self.check(node, where)
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
        for key, child in items.items():
            key = str(key)
            if len(key) != 1 or key not in ITEM_KEYS:
                self.fail(
                    where,
                    f"item key {key!r} must be one digit 1-9 "
                    "(0 is the operator, * back and # help on every level)",
                )
                continue
            node = self.node(child, level + 1, f"{trail} > {key}")
            if node is not None:
                children[key] = node
        return children

    def check(self, node: MenuNode, where: str) -> None:
        if node.kind in ("menu", "info") and node.prompt is None:
            self.fail(where, f"a {node.kind} node needs a 'prompt'")
        if node.prompt is not None:
            self.check_speech(node.prompt, where)
        if node.kind == "action" and node.action not in self.actions:
            known = ", ".join(sorted(self.actions)) or "none"
            self.fail(where, f"action {node.action!r} is not known (known: {known})")
        if node.kind == "operator":
            if not node.queue:
                self.fail(where, "an operator node needs a 'queue'")
            elif node.queue == "general":
                self.fail(
                    where,
                    "a queue cannot be named 'general': queues.conf keeps that "
                    "name for its settings",
                )
            wait = node.wait_seconds
            if not isinstance(wait, int) or wait <= 0:
                self.fail(where, f"wait_seconds must be a positive whole number, not {wait!r}")
            elif wait > self.limits.max_operator_wait_seconds:
                self.fail(
                    where,
                    f"waits {wait} s for an operator; at most "
                    f"{self.limits.max_operator_wait_seconds} s are allowed",
                )

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
    reader = _TreeReader(source, catalog, speech, actions, limits or MenuLimits())
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise MenuError([f"{source}: cannot read: {error}"]) from None
    if not isinstance(raw, dict):
        raise MenuError([f"{source}: must be a mapping with line, numbers and menu"])
    numbers = tuple(normalise_number(str(n)) for n in raw.get("numbers", []))
    if not numbers or not all(numbers):
        reader.problems.append(f"{source}: 'numbers' must list the dialled numbers of the line")
    root = reader.node(raw.get("menu"), 1, "menu")
    operator_raw = {
        "id": "operator",
        "type": "operator",
        "topic": "Оператор",
        **(raw.get("operator") or {}),
    }
    operator = reader.node(operator_raw, 5, "operator")
    if root is not None and root.kind != "menu":
        reader.problems.append(f"{source}: the top of 'menu' must be a menu node")
    if reader.problems or root is None or operator is None:
        raise MenuError(reader.problems)
    return MenuTree(
        line=str(raw.get("line", source.stem)),
        title=str(raw.get("title", source.stem)),
        numbers=numbers,
        root=root,
        operator=operator,
        source=source,
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
                    f"'{by_number[number].line}' ({by_number[number].source.name})"
                )
            by_number[number] = tree
    if problems:
        raise MenuError(problems)
    return by_number
