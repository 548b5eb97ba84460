"""Menu trees mutated from the shipped ones: each is loaded, or refused naming the file
and the place (the node, the key or the line); never a traceback of an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.actions import ACTIONS
from ivr.menu import MenuTree
from ivr.menu_loader import TREE_KEYS, MenuError, parse_tree
from prompts.catalog import Variant, load_catalog
from tests.fuzz import tally
from tests.fuzz.yaml_mutations import mutated_yaml
from tests.table_doors import assert_readable

PROJECT = Path(__file__).resolve().parents[2]
SEEDS = sorted((PROJECT / "dialplans").glob("*.yaml"))
TREES = 700
CATALOG = load_catalog()
PLACES = (
    "node ",
    "line ",
    "unknown key",
    *(f"'{key}'" for key in TREE_KEYS),
    "numbers:",
    "is empty",
    "must be a mapping",
    "larger than",
)
"""How a problem names where it is: a node, a line of the file, a key of the tree, or
the file as a whole."""


def speech(prompt: str, variant: Variant) -> float:
    """Every prompt renders to 3 s of speech: the limits of speech are not fuzzed here."""
    return 3.0


def load(data: bytes, source: Path) -> MenuTree | MenuError:
    try:
        return parse_tree(data, source, CATALOG, speech, ACTIONS.keys())
    except MenuError as error:
        return error


def assert_names_its_place(problem: str, source: Path) -> None:
    assert problem.startswith(f"{source}: "), f"{problem!r} does not name the file"
    rest = problem[len(f"{source}: ") :]
    assert any(place in rest for place in PLACES), f"{problem!r} names no place in the file"
    assert_readable(problem)


def test_mutated_menu_trees_load_or_are_refused_naming_the_place() -> None:
    rng = tally.rng("menu-yaml")
    loaded = refused = 0
    for number in range(TREES):
        seed = SEEDS[number % len(SEEDS)]
        source = Path("dialplans") / f"mutated-{number}.yaml"
        outcome = load(mutated_yaml(rng, seed.read_bytes()), source)
        if isinstance(outcome, MenuTree):
            loaded += 1
            assert outcome.numbers and outcome.root.kind == "menu"
            continue
        refused += 1
        assert outcome.problems, "a refusal says why"
        for problem in outcome.problems:
            assert_names_its_place(problem, source)
    count = tally.tried("menu-yaml", loaded + refused)
    assert refused > TREES // 2 and loaded > 0, f"{count}: {loaded} loaded, {refused} refused"


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("!!int abc", 2),  # int('abc'): ValueError
        ("!!float abc", 2),
        ("!!bool maybe", 2),  # KeyError
        ("!!timestamp abc", 2),  # AttributeError
        ("2020-02-30", 2),  # datetime(2020, 2, 30): ValueError
        ("9" * 5000, 2),  # int() of more than 4,300 digits: ValueError
    ],
)
def test_a_value_yaml_cannot_build_is_refused_naming_its_line(value: str, line: int) -> None:
    data = f"line: test\ntitle: {value}\nnumbers: ['1']\n".encode()
    outcome = load(data, Path("bad.yaml"))
    assert isinstance(outcome, MenuError)
    (problem,) = outcome.problems
    assert problem.startswith(f"bad.yaml: line {line}, column 8: ")


@pytest.mark.parametrize("key", ["wait_seconds", "numbers", "queue", "id"])
def test_a_number_too_long_to_write_out_is_refused(key: str) -> None:
    """``0xfff…`` is read without a limit; writing it out in a message failed."""
    huge = "0x" + "f" * 4000
    operator = f"{{type: operator, {key}: {huge}}}"
    data = (
        f"line: test\nnumbers: ['1']\noperator: {{queue: operators}}\n"
        f"menu: {{id: main, prompt: toll_free_main, items: {{'1': {operator}}}}}\n"
    ).encode()
    outcome = load(data, Path("huge.yaml"))
    assert isinstance(outcome, MenuError)
    assert any("line 4" in problem for problem in outcome.problems), outcome.problems
