"""Reading the YAML of a menu tree strictly, so that a mistake is never silently accepted.

A menu tree is a small hand-written file, so anything a person would not mean is
refused before the tree is built: a key given twice, anchors and aliases, text that is
not UTF-8, and files or nestings far beyond any real tree (``prompts.strict_yaml``,
which the prompt catalog is read with too).
"""

from __future__ import annotations

from typing import Any

from prompts.strict_yaml import YamlLimits, YamlTextError, read_strict_yaml

MAX_TREE_BYTES = 1024 * 1024
TREE_LIMITS = YamlLimits(kind="menu tree", max_bytes=MAX_TREE_BYTES, usual_size="a few kilobytes")
TreeTextError = YamlTextError


def read_tree_yaml(data: bytes) -> Any:
    """The one YAML document in ``data`` as plain values, or ``TreeTextError`` saying why not."""
    return read_strict_yaml(data, TREE_LIMITS)
