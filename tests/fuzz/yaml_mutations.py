"""Mutations of a YAML file a person edits: its bytes, its lines, and its tree of values.

The same three kinds serve every YAML door (menu trees, the prompt catalog): edits a
text editor makes by mistake, YAML features nobody means (tags, anchors, merges), and
values of the wrong kind in the right place.
"""

from __future__ import annotations

import copy
import functools
import random
from datetime import date
from typing import Any

import yaml

from tests.fuzz.mutate import HOSTILE_BYTES, mutate_bytes

YAML_TOKENS: tuple[bytes, ...] = (
    *HOSTILE_BYTES,
    b"&a ",
    b"*a",
    b"<<: ",
    b"<<: {x: 1}",
    b"!!python/object/apply:os.system ['true']",
    b"!!binary ",
    b"!!set ",
    b"!!timestamp abc",
    b"!!int abc",
    b"!!float abc",
    b"!!bool maybe",
    b"!!str ",
    b"!!omap x",
    b"!custom ",
    b"2020-02-30",
    b"2020-02-30 25:61:61",
    b"0x" + b"f" * 4000,
    b"9" * 5000,
    b".nan",
    b".inf",
    b"~",
    b"yes",
    b"1:30:00",
    b"0o777",
    b"1_000",
    b"? ",
    b"- ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"%YAML 1.1\n",
    b"---\n",
    b"...\n",
    b"|",
    b">",
    b"#",
    "\u2028".encode(),
    "\ud800".encode("utf-8", "surrogatepass"),
)
Path = tuple[Any, ...]
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _parsed(seed: bytes) -> Any:
    return yaml.load(seed, Loader=_Loader)


def wrong_value(rng: random.Random, depth: int = 0) -> Any:
    """A value of any kind YAML can hold, plausible or not."""
    kind = rng.randrange(12)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice((0, -1, 7, 61, 10**30, -(10**30)))
    if kind == 2:
        return rng.choice((True, False))
    if kind == 3:
        return rng.choice((1.5, float("inf"), float("nan"), -0.0))
    if kind == 4:
        return date(2026, 11, 27)
    if kind == 5:
        return rng.choice(("", " ", "x" * 5000, "\x1b[2J", "\u202e", "ёжик", "a,b", "1\n2"))
    if kind == 6 and depth < 3:
        return [wrong_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == 7 and depth < 3:
        return {str(wrong_value(rng, depth + 1))[:20]: wrong_value(rng, depth + 1)}
    if kind == 8:
        nested: Any = "deep"
        for _ in range(rng.choice((10, 70))):
            nested = {"items": nested}
        return nested
    if kind == 9:
        return {1: "one", "1": "один"}
    return rng.choice(("menu", "info", "action", "operator", "operators", "debt_info"))


def _paths(value: Any, path: Path = ()) -> list[Path]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


def mutate_tree(rng: random.Random, tree: Any) -> Any:
    """The tree with one value replaced, one key dropped, renamed or added."""
    path = rng.choice(_paths(tree))
    if not path:
        return wrong_value(rng)
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    edit = rng.randrange(4)
    if edit == 0 or not isinstance(parent, dict):
        parent[last] = wrong_value(rng)
    elif edit == 1:
        del parent[last]
    elif edit == 2:
        parent[rng.choice(("waitseconds", "Items", "prompt ", "type", 8, "0", None))] = parent.pop(
            last
        )
    else:
        parent[rng.choice(("extra", "queue", "action", "items", "words"))] = wrong_value(rng)
    return tree


def mutate_text(rng: random.Random, data: bytes) -> bytes:
    """The file edited as text: lines dropped or doubled, indents changed, a value
    replaced by a YAML oddity, or bytes broken."""
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(lines))
        edit = rng.randrange(5)
        if edit == 0:
            del lines[at]
        elif edit == 1:
            lines.insert(at, lines[at])
        elif edit == 2:
            lines[at] = rng.choice((b" ", b"  ", b"\t", b"")) + lines[at].lstrip(b" ")
        elif edit == 3 and b": " in lines[at]:
            key, _, _ = lines[at].partition(b": ")
            lines[at] = key + b": " + rng.choice(YAML_TOKENS)
        else:
            lines[at] = mutate_bytes(rng, lines[at], YAML_TOKENS, rounds=1)
        if not lines:
            lines = [b""]
    return b"\n".join(lines)


def mutated_yaml(rng: random.Random, seed: bytes) -> bytes:
    """One mutation of ``seed``: of its values (dumped again), of its text, or of both."""
    kind = rng.randrange(3)
    if kind == 0:
        tree = mutate_tree(rng, copy.deepcopy(_parsed(seed)))
        return yaml.dump(tree, Dumper=_Dumper, allow_unicode=True, sort_keys=False).encode()
    if kind == 1:
        return mutate_text(rng, seed)
    return mutate_bytes(rng, seed, YAML_TOKENS)
