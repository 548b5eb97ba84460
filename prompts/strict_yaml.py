"""Reading a hand-written YAML file strictly, so that a mistake is never silently accepted.

A file a person edits (a menu tree, the prompt catalog) is small, so anything a person
would not mean is refused before its values are used: a key given twice (YAML would keep
only the last), anchors and aliases (the way to a "billion laughs" that fills the memory,
or to a cycle), text that is not UTF-8, a value PyYAML cannot build (``!!int abc``,
``2020-02-30``), and files or nestings far beyond any real one. The structure is checked
on the parser's event stream first, which holds almost nothing in memory, and only then
turned into Python values. Every refusal is a :class:`YamlTextError` that names the line
where it can.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Protocol

import yaml
from yaml.constructor import ConstructorError
from yaml.error import MarkedYAMLError
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import MappingNode, Node
from yaml.reader import ReaderError

from customers.cell_text import shortened

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml: the same checks, only slower
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class YamlLimits:
    """What one kind of file may hold; ``kind`` names the file in the messages."""

    kind: str
    """How a message names such a file: ``"menu tree"``."""
    max_bytes: int
    usual_size: str
    """What a real file weighs, for the message on one too large: ``"a few kilobytes"``."""
    max_values: int = 100_000
    max_nesting: int = 64
    max_number: int | None = 10**18
    """The largest integer taken (``0xfff…`` is read without bound, but cannot be written
    out in a message); ``None`` where the file's own checks refuse numbers anyway."""


class YamlTextError(ValueError):
    """The file is not plain YAML of its kind; the message starts with the line if known."""


class _Mark(Protocol):
    line: int
    column: int


class _StrictLoader(_SafeLoader):
    max_number: int | None = None

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """A value, or ConstructorError at its line: PyYAML's own constructors fail with
        ValueError, KeyError or AttributeError on ``!!int abc``, ``!!bool maybe``,
        ``2020-02-30`` or 5,000 digits."""
        try:
            value = super().construct_object(node, deep)
        except MarkedYAMLError:
            raise
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as error:
            raise ConstructorError(
                None, None, f"cannot read {_node_text(node)} as {_tag_name(node)}", node.start_mark
            ) from error
        limit = self.max_number
        if limit is not None and isinstance(value, int) and abs(value) > limit:
            raise ConstructorError(
                None, None, f"{_node_text(node)} is too large a number", node.start_mark
            )
        return value

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        """The mapping, or ConstructorError at the second of two equal keys. ``!!set x``
        asks for a mapping of a scalar: PyYAML's own check refuses it at its line."""
        if not isinstance(node, MappingNode):
            return super().construct_mapping(node, deep)
        first_lines: dict[Hashable, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue
            line = key_node.start_mark.line + 1
            if key in first_lines:
                raise ConstructorError(
                    None,
                    None,
                    f"key {_node_text(key_node)} is given twice (first on line "
                    f"{first_lines[key]}); YAML would silently keep only the second",
                    key_node.start_mark,
                )
            first_lines[key] = line
        return super().construct_mapping(node, deep)


def _node_text(node: Node) -> str:
    """A value as written, cut short and with control characters written out."""
    text = node.value if isinstance(node.value, str) else type(node).__name__
    return shortened(repr(text))


def _tag_name(node: Node) -> str:
    return node.tag.removeprefix("tag:yaml.org,2002:")


def _located(mark: _Mark | None, problem: str) -> str:
    if mark is None:
        return problem
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"


def _check_events(text: str, limits: YamlLimits) -> None:
    """Refuse anchors, aliases and oversized structures before any value is built."""
    values = 0
    nesting = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, CollectionEndEvent):
            nesting -= 1
        elif isinstance(event, NodeEvent):
            values += 1
            nesting += isinstance(event, CollectionStartEvent)
            problem = _event_problem(event, values, nesting, limits)
            if problem is not None:
                raise YamlTextError(_located(event.start_mark, problem))


def _event_problem(event: NodeEvent, values: int, nesting: int, limits: YamlLimits) -> str | None:
    kind = limits.kind
    if isinstance(event, AliasEvent):
        return f"alias *{event.anchor} is not allowed in a {kind}; write the value out"
    if event.anchor is not None:
        return f"anchor &{event.anchor} is not allowed in a {kind}; write the value out"
    if values > limits.max_values:
        return f"more than {limits.max_values} values; not a {kind}"
    if nesting > limits.max_nesting:
        return f"nested more than {limits.max_nesting} deep; not a {kind}"
    return None


def _decoded(data: bytes, limits: YamlLimits) -> str:
    if len(data) > limits.max_bytes:
        raise YamlTextError(
            f"is larger than {limits.max_bytes // 1024} KiB; a {limits.kind} is {limits.usual_size}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise YamlTextError(
            f"line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None


def read_strict_yaml(data: bytes, limits: YamlLimits) -> Any:
    """The one YAML document in ``data`` as plain values, or ``YamlTextError`` saying why not."""
    text = _decoded(data, limits)
    try:
        _check_events(text, limits)
        loader = _StrictLoader(text)
        loader.max_number = limits.max_number
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except MarkedYAMLError as error:
        problem = ", ".join(part for part in (error.context, error.problem) if part)
        raise YamlTextError(_located(error.problem_mark, problem or str(error))) from None
    except ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise YamlTextError(
            f"line {line}: character #x{error.character:04x} is not allowed in YAML: {error.reason}"
        ) from None
    except yaml.YAMLError as error:
        raise YamlTextError(f"not valid YAML: {error}") from None
