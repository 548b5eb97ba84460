"""Reading the nodes of a menu tree from its YAML values, checking each against the standard.

Every problem is kept, naming the file and the node, so that one load reports all of
them. A node's keys are those of its kind: a typo (``waitseconds``) or a key another
kind has (``queue`` on an info node) is refused, never silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from customers.cell_text import shortened
from ivr.menu import ITEM_KEYS, MenuNode, NodeKind
from prompts.catalog import PromptCatalog, Variant

SpeechDuration = Callable[[str, Variant], float | None]
NODE_KINDS: tuple[NodeKind, ...] = ("menu", "info", "action", "operator")
COMMON_KEYS = ("id", "type", "topic", "prompt", "words")
KIND_KEYS: dict[NodeKind, tuple[str, ...]] = {
    "menu": ("items",),
    "info": (),
    "action": ("action",),
    "operator": ("queue", "wait_seconds"),
}
"""The keys only a node of that kind has, besides the common ones."""
QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""A queue name Asterisk takes as one plain argument: nothing that could add options
(``,``) or a second command (a line break) to ``Queue()``."""


def shown(value: object) -> str:
    """A wrong value as a problem quotes it, cut short (it may be a whole subtree)."""
    return shortened(repr(value))


@dataclass(frozen=True)
class MenuLimits:
    """The standard's limits on a menu (ch.4 s.2 p.11.4); each is a setting."""

    max_levels: int = 4
    max_items: int = 7
    max_level_speech_seconds: float = 60.0
    max_operator_wait_seconds: int = 60


class NodeReader:
    """Reads the nodes of one tree file, keeping every problem found (``problems``)."""

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
        self.check_keys(raw, kind, where)
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
            action=self.text(raw, "action", where) if kind == "action" else None,
            queue=self.queue(raw, where) if operator else None,
            wait_seconds=self.wait_seconds(raw, where) if operator else None,
            words=tuple(words),
            items=self.items(raw, level, where, trail) if kind == "menu" else {},
        )
        self.check(node, raw, where)
        return node

    def check_keys(self, raw: Mapping[Any, Any], kind: NodeKind, where: str) -> None:
        """Each key a node of its kind has; a typo or another kind's key is a problem."""
        allowed = (*COMMON_KEYS, *KIND_KEYS[kind])
        for key in raw:
            if key in allowed:
                continue
            owner = next((other for other, keys in KIND_KEYS.items() if key in keys), None)
            if owner is not None:
                self.fail(
                    where,
                    f"only {_article(owner)} {owner} node can have {key!r}; "
                    f"make it 'type: {owner}'",
                )
            else:
                self.fail(
                    where,
                    f"unknown key {shown(key)}; {_article(kind)} {kind} node has "
                    f"{', '.join(allowed)}",
                )

    def operator(self, raw: Any) -> MenuNode | None:
        """The tree's operator node, the 5th level: a queue and how long to wait for it."""
        if not isinstance(raw, dict):
            self.fail(None, "'operator' must be a mapping such as {queue: operators}")
            return None
        defaults = {"id": "operator", "type": "operator", "topic": "Оператор"}
        return self.node({**defaults, **raw}, 5, "operator")

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
            self.fail(where, f"{_article(node.kind)} {node.kind} node needs a 'prompt'")
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


def _article(kind: NodeKind) -> str:
    return "a" if kind == "menu" else "an"
