"""Whatever a menu file holds, loading it gives a tree or problems, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.actions import ACTIONS
from ivr.content import IvrContent
from ivr.menu import MenuTree
from ivr.menu_loader import MenuError, parse_tree

SOURCE = Path("dialplans/random.yaml")
WORDS = [
    *("line", "title", "numbers", "operator", "menu", "id", "type", "prompt", "items"),
    *("action", "queue", "wait_seconds", "words", "topic"),
    *("menu", "info", "operator", "toll_free_main", "offices_info", "debt_info", "operators"),
    *("1", "2", "0", "10", "8-800-222-49-02", "", "general", "operators,t,,,,3600"),
]
SCALARS = st.one_of(
    st.sampled_from(WORDS),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
KEYS = st.one_of(st.sampled_from(WORDS), st.integers(min_value=0, max_value=10), st.booleans())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=40,
)
DOCUMENTS = st.dictionaries(st.sampled_from(WORDS[:5]), VALUES, max_size=5)
YAML_TEXT = st.text(alphabet=st.sampled_from(list("&*!|>-?:,[]{}'\"#% \n\tab1é")), max_size=60)


def _outcome(content: IvrContent, data: bytes) -> MenuTree | list[str]:
    try:
        return parse_tree(data, SOURCE, content.catalog, content.library.duration, ACTIONS.keys())
    except MenuError as error:
        return error.problems


def _assert_tree_or_clear_problems(outcome: MenuTree | list[str]) -> None:
    if isinstance(outcome, MenuTree):
        return
    assert outcome, "a refusal names at least one problem"
    for problem in outcome:
        assert problem.startswith(f"{SOURCE}: "), problem
        assert "\n" not in problem, problem


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS)
def test_any_yaml_document_gives_a_tree_or_clear_problems(
    ivr_content: IvrContent, document: dict[str, Any]
) -> None:
    data = yaml.safe_dump(document, allow_unicode=True).encode("utf-8")
    _assert_tree_or_clear_problems(_outcome(ivr_content, data))


@settings(max_examples=300, deadline=None)
@given(text=YAML_TEXT)
def test_any_yaml_like_text_gives_a_tree_or_clear_problems(
    ivr_content: IvrContent, text: str
) -> None:
    _assert_tree_or_clear_problems(_outcome(ivr_content, text.encode("utf-8")))


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=60))
def test_any_bytes_give_a_tree_or_clear_problems(ivr_content: IvrContent, data: bytes) -> None:
    _assert_tree_or_clear_problems(_outcome(ivr_content, data))
