"""Reading the YAML of a menu tree strictly, so that a mistake is never silently accepted.

A menu tree is a small hand-written file, so anything a person would not mean is
refused before the tree is built: a key given twice (YAML would keep only the last),
anchors and aliases (the way to a "billion laughs" that fills the memory, or to a
cycle), text that is not UTF-8, and files or nestings far beyond any real tree. The
structure is checked on the parser's event stream first, which holds almost nothing
in memory, and only then turned into Python values.
"""

from __future__ import annotations

from collections.abc import Hashable
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

MAX_TREE_BYTES = 1024 * 1024
MAX_VALUES = 100_000
MAX_NESTING = 64
MAX_NUMBER = 10**18
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Mark(Protocol):
    line: int
    column: int


class TreeTextError(ValueError):
    """The file is not a plain YAML mapping a menu tree can be read from."""


class _NoDuplicateKeysLoader(_SafeLoader):
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """A value, or ConstructorError at its line: PyYAML's own constructors fail with
        ValueError, KeyError or AttributeError on ``!!int abc``, ``!!bool maybe``,
        ``2020-02-30`` or 5,000 digits; and no menu needs a number beyond 18 digits
        (``0xfff…`` is read without bound, but cannot be written out in a message)."""
        try:
            value = super().construct_object(node, deep)
        except MarkedYAMLError:
            raise
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as error:
            raise ConstructorError(
                None, None, f"cannot read {_node_text(node)} as {_tag_name(node)}", node.start_mark
            ) from error
        if isinstance(value, int) and abs(value) > MAX_NUMBER:
            raise ConstructorError(
                None, None, f"{_node_text(node)} is too large a number", node.start_mark
            )
        return value

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
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
                    f"key {key!r} is given twice (first on line {first_lines[key]}); "
                    "YAML would silently keep only the second",
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


def _check_events(text: str) -> None:
    """Refuse anchors, aliases and oversized structures before any value is built."""
    values = 0
    nesting = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, CollectionEndEvent):
            nesting -= 1
        elif isinstance(event, NodeEvent):
            values += 1
            nesting += isinstance(event, CollectionStartEvent)
            problem = _event_problem(event, values, nesting)
            if problem is not None:
                raise TreeTextError(_located(event.start_mark, problem))


def _event_problem(event: NodeEvent, values: int, nesting: int) -> str | None:
    if isinstance(event, AliasEvent):
        return f"alias *{event.anchor} is not allowed in a menu tree; write the value out"
    if event.anchor is not None:
        return f"anchor &{event.anchor} is not allowed in a menu tree; write the value out"
    if values > MAX_VALUES:
        return f"more than {MAX_VALUES} values; not a menu tree"
    if nesting > MAX_NESTING:
        return f"nested more than {MAX_NESTING} deep; not a menu tree"
    return None


def read_tree_yaml(data: bytes) -> Any:
    """The one YAML document in ``data`` as plain values, or ``TreeTextError`` saying why not."""
    if len(data) > MAX_TREE_BYTES:
        raise TreeTextError(
            f"is larger than {MAX_TREE_BYTES // 1024} KiB; a menu tree is a few kilobytes"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise TreeTextError(
            f"line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None
    try:
        _check_events(text)
        loader = _NoDuplicateKeysLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except MarkedYAMLError as error:
        problem = ", ".join(part for part in (error.context, error.problem) if part)
        raise TreeTextError(_located(error.problem_mark, problem or str(error))) from None
    except ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise TreeTextError(
            f"line {line}: character #x{error.character:04x} is not allowed in YAML: {error.reason}"
        ) from None
    except yaml.YAMLError as error:
        raise TreeTextError(f"not valid YAML: {error}") from None
