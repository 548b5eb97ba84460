"""A menu tree a person got wrong is refused with a clear problem, never half read."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from ivr.actions import ACTIONS
from ivr.content import IvrContent
from ivr.menu import MenuTree
from ivr.menu_loader import MenuError, load_tree
from ivr.menu_yaml import MAX_TREE_BYTES
from tests.command import run_callgrid
from tests.ivr.test_menu_loader import HEADER, _load, _write

MENU = """\
menu:
  id: main
  prompt: toll_free_main
  items:
    "1": {id: offices, type: info, prompt: offices_info}
"""


def _problems(content: IvrContent, path: Path) -> list[str]:
    with pytest.raises(MenuError) as error:
        _load(content, path)
    return error.value.problems


def _tree(content: IvrContent, path: Path) -> MenuTree:
    return load_tree(path, content.catalog, content.library.duration, ACTIONS.keys())


def _with_operator(operator: str) -> str:
    return f"line: test\nnumbers: ['123']\noperator: {operator}\n" + MENU


def test_a_key_given_twice_is_refused_naming_the_key_and_its_line(
    ivr_content: IvrContent, tmp_path: Path
) -> None:
    path = _write(
        tmp_path, HEADER + MENU + '    "1": {id: debt, type: action, action: debt_info}\n'
    )
    assert _problems(ivr_content, path) == [
        f"{path}: line 9, column 5: key '1' is given twice (first on line 8); "
        "YAML would silently keep only the second"
    ]


def test_an_item_key_written_once_quoted_and_once_not_is_refused(
    ivr_content: IvrContent, tmp_path: Path
) -> None:
    path = _write(tmp_path, HEADER + MENU + "    1: {id: debt, type: action, action: debt_info}\n")
    assert _problems(ivr_content, path) == [
        f"{path}: node 'main' (menu): item key '1' is given twice (once quoted, once not)"
    ]


@pytest.mark.parametrize(
    "queue",
    ["[operators, billing]", '"operators,t,,,,3600"', '"operators\\nHANGUP"', "a" * 65, "очередь"],
)
def test_a_queue_must_be_a_plain_asterisk_queue_name(
    ivr_content: IvrContent, tmp_path: Path, queue: str
) -> None:
    path = _write(tmp_path, _with_operator(f"{{queue: {queue}}}"))
    (problem,) = _problems(ivr_content, path)
    assert problem.startswith(f"{path}: node 'operator' (operator): queue ")
    assert problem.endswith(
        "must be a plain Asterisk queue name: Latin letters, digits, '_' and '-', "
        "at most 64 characters"
    )


def test_plain_queue_names_up_to_sixty_four_characters_are_kept(
    ivr_content: IvrContent, tmp_path: Path
) -> None:
    name = "Billing_2-" + "q" * 54
    tree = _tree(ivr_content, _write(tmp_path, _with_operator(f"{{queue: {name}}}")))
    assert (tree.operator.queue, tree.operator.wait_seconds) == (name, 60)


@pytest.mark.parametrize("wait", ["true", "false", "0", "-5", "1.5", '"30"', "[30]"])
def test_wait_seconds_must_be_a_whole_number_from_one_to_the_limit(
    ivr_content: IvrContent, tmp_path: Path, wait: str
) -> None:
    path = _write(tmp_path, _with_operator(f"{{queue: operators, wait_seconds: {wait}}}"))
    (problem,) = _problems(ivr_content, path)
    assert f"{path}: node 'operator' (operator): wait_seconds must be a whole number" in problem
    assert "of seconds from 1 to 60, not " in problem


def test_an_alias_bomb_is_refused_quickly_and_in_little_memory(
    ivr_content: IvrContent, tmp_path: Path
) -> None:
    """Six levels of ten aliases would be a million values; anchors are refused outright."""
    levels = ['a0: &a0 "lol"'] + [
        f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]" for level in range(1, 7)
    ]
    path = _write(tmp_path, HEADER + "\n".join(levels) + "\n" + MENU.replace("main", "*a6", 1))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        problems = _problems(ivr_content, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1.0
    assert peak < 2_000_000
    assert problems == [
        f"{path}: line 4, column 5: anchor &a0 is not allowed in a menu tree; write the value out"
    ]


def test_a_recursive_alias_is_a_clear_problem(ivr_content: IvrContent, tmp_path: Path) -> None:
    path = _write(
        tmp_path, HEADER + 'menu: &loop {id: main, prompt: toll_free_main, items: {"1": *loop}}\n'
    )
    assert _problems(ivr_content, path) == [
        f"{path}: line 4, column 7: anchor &loop is not allowed in a menu tree; write the value out"
    ]


def test_a_file_not_in_utf8_is_a_clear_problem(ivr_content: IvrContent, tmp_path: Path) -> None:
    path = tmp_path / "line.yaml"
    path.write_bytes((HEADER + "title: Горячая линия\n" + MENU).encode("cp1251"))
    assert _problems(ivr_content, path) == [
        f"{path}: line 4: not UTF-8 text (byte 0xc3); save the file as UTF-8"
    ]


@pytest.mark.parametrize("numbers", ["88002224902", "[88002224902]"])
def test_numbers_written_as_yaml_numbers_ask_for_quotes(
    ivr_content: IvrContent, tmp_path: Path, numbers: str
) -> None:
    path = _write(tmp_path, f"numbers: {numbers}\noperator: {{queue: operators}}\n" + MENU)
    assert _problems(ivr_content, path) == [
        f'{path}: numbers: write each number as text in quotes ("88002224902"); '
        "a bare number loses its leading zeros and '+'"
    ]


def test_numbers_given_as_one_text_are_the_line_s_one_number(
    ivr_content: IvrContent, tmp_path: Path
) -> None:
    path = _write(tmp_path, 'numbers: "8-800-555-35-35"\noperator: {queue: operators}\n' + MENU)
    assert _tree(ivr_content, path).numbers == ("88005553535",)


NODE = 'menu: {id: main, prompt: toll_free_main, items: {"1": %s}}\n'


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("", "is empty; a menu tree has line, numbers, operator and menu"),
        ("- 1\n- 2\n", "must be a mapping with line, numbers and menu, not [1, 2]"),
        ("a: [\n", "line 2, column 1: while parsing a flow node, did not find expected"),
        ("a: 1\n---\nb: 2\n", "line 2, column 1: expected a single document in the stream"),
        (
            "a: !!python/object:os.system x\n",
            "line 1, column 4: could not determine a constructor for the tag",
        ),
        ("a: b\x00\n", "line 1: character #x0000 is not allowed in YAML"),
        ("a: " + "[" * 100, "line 1, column 67: nested more than 64 deep; not a menu tree"),
        (HEADER + "menu: [main]\n", "node menu: must be a mapping with at least 'id' and 'type'"),
        (
            HEADER + "menu: {id: main, prompt: toll_free_main, items: [a, b]}\n",
            "node 'main' (menu): a menu needs 'items'",
        ),
        (
            HEADER + NODE % "{id: debt, type: action, action: [debt_info]}",
            "node 'debt' (menu > 1): 'action' must be text, not ['debt_info']",
        ),
        (
            HEADER + NODE % "{id: o, type: info, prompt: [offices_info]}",
            "node 'o' (menu > 1): 'prompt' must be text, not ['offices_info']",
        ),
        (
            HEADER + NODE % "{id: , type: info, prompt: offices_info}",
            "node '?' (menu > 1): has no id",
        ),
        (
            HEADER + NODE % "{id: [o], type: info, prompt: offices_info}",
            "node '?' (menu > 1): 'id' must be text, not ['o']",
        ),
        (
            HEADER + NODE % "{id: o, type: [info], prompt: offices_info}",
            "node 'o' (menu > 1): type must be one of menu, info, action, operator, not ['info']",
        ),
        (
            HEADER + NODE % "{id: o, type: info, prompt: offices_info, topic: {a: 1}}",
            "node 'o' (menu > 1): 'topic' must be text, not {'a': 1}",
        ),
        (
            HEADER + NODE % "{id: o, type: info, prompt: offices_info, words: да}",
            "node 'o' (menu > 1): 'words' must be a list of voice keywords",
        ),
        (
            HEADER + NODE % "{id: o, type: info, prompt: offices_info, items: {'1': {id: p}}}",
            "node 'o' (menu > 1): only a menu node can have 'items'; make it 'type: menu'",
        ),
        (
            HEADER + NODE % "{id: o, type: info, prompt: offices_info, queue: operators}",
            "node 'o' (menu > 1): only an operator node can have 'queue'; make it 'type: operator'",
        ),
        (
            HEADER + NODE % "{id: o, type: info, prompt: offices_info, promt: offices_info}",
            "node 'o' (menu > 1): unknown key 'promt'; an info node has id, type, topic, prompt, "
            "words",
        ),
        (
            HEADER.replace("{queue: operators}", "{queue: operators, waitseconds: 30}") + MENU,
            "node 'operator' (operator): unknown key 'waitseconds'; an operator node has id, "
            "type, topic, prompt, words, queue, wait_seconds",
        ),
        (
            HEADER + "titel: Горячая линия\n" + MENU,
            "unknown key 'titel'; a menu tree has line, title, numbers, operator, menu",
        ),
        (HEADER + NODE % "null", "node menu > 1: must be a mapping with at least 'id' and 'type'"),
        (
            HEADER.replace("{queue: operators}", "[operators]") + MENU,
            "'operator' must be a mapping such as {queue: operators}",
        ),
        (HEADER.replace("line: test", "line: [a]") + MENU, "'line' must be text, not ['a']"),
        (
            "numbers: [null]\noperator: {queue: operators}\n" + MENU,
            "numbers: None is not a dialled number",
        ),
    ],
)
def test_a_malformed_tree_is_one_clear_problem(
    ivr_content: IvrContent, tmp_path: Path, body: str, problem: str
) -> None:
    path = _write(tmp_path, body)
    problems = _problems(ivr_content, path)
    assert len(problems) == 1 and problems[0].startswith(f"{path}: {problem}"), problems


def test_a_file_over_the_size_limit_is_refused_unread(
    ivr_content: IvrContent, tmp_path: Path
) -> None:
    path = _write(tmp_path, HEADER + MENU + "#" * MAX_TREE_BYTES)
    started = time.perf_counter()
    assert _problems(ivr_content, path) == [
        f"{path}: is larger than 1024 KiB; a menu tree is a few kilobytes"
    ]
    assert time.perf_counter() - started < 1.0


def test_menus_check_names_every_bad_file_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    _write(bad, _with_operator("{queue: 'operators,t,,,,3600'}"), "injected.yaml")
    _write(
        bad,
        HEADER + MENU + '    "1": {id: again, type: info, prompt: offices_info}\n',
        "twice.yaml",
    )
    (bad / "cp1251.yaml").write_bytes(("title: Линия\n" + HEADER + MENU).encode("cp1251"))
    _write(bad, "numbers: 88002224902\n" + MENU, "bare_number.yaml")
    result = run_callgrid(tmp_path, "menus", "check", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "callgrid: menu trees rejected:",
        f"  - {bad}/bare_number.yaml: numbers: write each number as text in quotes "
        '("88002224902"); '
        "a bare number loses its leading zeros and '+'",
        f"  - {bad}/bare_number.yaml: node 'operator' (operator): an operator node needs a 'queue'",
        f"  - {bad}/cp1251.yaml: line 1: not UTF-8 text (byte 0xcb); save the file as UTF-8",
        f"  - {bad}/injected.yaml: node 'operator' (operator): queue 'operators,t,,,,3600' must be "
        "a plain Asterisk queue name: Latin letters, digits, '_' and '-', at most 64 characters",
        f"  - {bad}/twice.yaml: line 9, column 5: key '1' is given twice (first on line 8); "
        "YAML would silently keep only the second",
    ]
