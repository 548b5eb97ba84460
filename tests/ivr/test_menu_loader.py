"""Loading menu trees: the shipped ones pass, a tree breaking the standard is rejected."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ivr.actions import ACTIONS
from ivr.content import IvrContent
from ivr.menu_loader import MenuError, MenuLimits, load_tree, load_trees
from prompts.catalog import load_catalog
from prompts.render import render_catalog

PROJECT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, body: str, name: str = "line.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _load(content: IvrContent, path: Path, limits: MenuLimits | None = None) -> None:
    load_tree(path, content.catalog, content.library.duration, ACTIONS.keys(), limits)


HEADER = """\
line: test
numbers: ["123"]
operator: {queue: operators}
"""


def test_shipped_trees_cover_the_four_numbers(ivr_content: IvrContent) -> None:
    lines = {tree.line for tree in ivr_content.trees.values()}
    assert lines == {"toll_free", "households", "business", "paid_services"}
    for number in ("88002224902", "3822750075", "3822630000", "3822400100"):
        assert number in ivr_content.trees


def test_eight_items_on_a_level_are_rejected_naming_the_node(
    ivr_content: IvrContent, tmp_path: Path
) -> None:
    items = "\n".join(
        f'    "{key}": {{id: info{key}, type: info, prompt: offices_info}}' for key in range(1, 9)
    )
    path = _write(
        tmp_path,
        HEADER + "menu:\n  id: crowded\n  prompt: toll_free_main\n  items:\n" + items + "\n",
    )
    with pytest.raises(MenuError) as error:
        _load(ivr_content, path)
    assert error.value.problems == [
        f"{path}: node 'crowded' (menu): has 8 items on one level; at most 7 are allowed"
    ]


def test_five_menu_levels_are_rejected_naming_the_node(
    ivr_content: IvrContent, tmp_path: Path
) -> None:
    def level(depth: int) -> str:
        indent = "  " * (2 * depth - 1)
        if depth == 6:
            return f"{indent}id: leaf\n{indent}type: info\n{indent}prompt: offices_info\n"
        return (
            f"{indent}id: level{depth}\n{indent}type: menu\n{indent}prompt: tariffs_menu\n"
            f'{indent}items:\n{indent}  "1":\n' + level(depth + 1)
        )

    path = _write(tmp_path, HEADER + "menu:\n" + level(1).replace("  ", "  ", 1))
    with pytest.raises(MenuError) as error:
        _load(ivr_content, path)
    (problem,) = error.value.problems
    assert "node 'level5' (menu > 1 > 1 > 1 > 1)" in problem
    assert "menu on level 5; at most 4 menu levels" in problem


def test_more_than_sixty_seconds_of_speech_is_rejected(tmp_path: Path) -> None:
    """Measured from the rendered audio, not guessed from the text."""
    catalog_file = tmp_path / "catalog.yaml"
    long_text = " ".join(
        ["Для оплаты электроэнергии без комиссии воспользуйтесь личным кабинетом."] * 16
    )
    catalog_file.write_text(
        f"long_menu:\n  short: Короткая подсказка.\n  full: {long_text}\n"
        "offices_info: Офисы работают по будням.\n",
        encoding="utf-8",
    )
    catalog = load_catalog(catalog_file)
    library = render_catalog(catalog, tmp_path / "audio")
    seconds = library.duration("long_menu", "full")
    assert seconds is not None and seconds > 60
    path = _write(
        tmp_path,
        HEADER
        + """\
        menu:
          id: talkative
          prompt: long_menu
          items:
            "1": {id: offices, type: info, prompt: offices_info}
        """.replace("        ", ""),
    )
    with pytest.raises(MenuError) as error:
        load_tree(path, catalog, library.duration, ACTIONS.keys())
    (problem,) = error.value.problems
    assert f"node 'talkative' (menu): speaks {seconds:.1f} s (long_menu, full)" in problem
    assert "at most 60 s of speech on a level" in problem


def test_operator_wait_over_sixty_seconds_is_rejected(
    ivr_content: IvrContent, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        HEADER
        + """\
        menu:
          id: main
          prompt: toll_free_main
          items:
            "1": {id: slow_queue, type: operator, queue: billing, wait_seconds: 90}
        """.replace("        ", ""),
    )
    with pytest.raises(
        MenuError, match=r"node 'slow_queue' \(menu > 1\): waits 90 s for an operator"
    ):
        _load(ivr_content, path)


def test_limits_are_settings(ivr_content: IvrContent) -> None:
    tree = PROJECT / "dialplans" / "toll_free.yaml"
    with pytest.raises(MenuError, match="menu on level 3; at most 2 menu levels"):
        _load(ivr_content, tree, MenuLimits(max_levels=2))


def test_every_mistake_is_reported_at_once(ivr_content: IvrContent, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER
        + """\
        menu:
          id: main
          prompt: no_such_prompt
          items:
            "0": {id: zero, type: info, prompt: offices_info}
            "1": {id: act, type: action, action: launch_rockets}
            "2": {id: main, type: info, prompt: offices_info}
            "3": {id: q, type: operator, queue: general}
            "4": {id: odd, type: teleport}
        """.replace("        ", ""),
    )
    with pytest.raises(MenuError) as error:
        _load(ivr_content, path)
    text = "\n".join(error.value.problems)
    assert "prompt 'no_such_prompt' is not in the catalog" in text
    assert "item key '0' must be one digit 1-9" in text
    assert (
        "action 'launch_rockets' is not known (known: answering_machine, callback_request" in text
    )
    assert "id 'main' is used twice" in text
    assert "a queue cannot be named 'general'" in text
    assert "type must be one of menu, info, action, operator, not 'teleport'" in text


def test_two_trees_claiming_one_number_are_rejected(
    ivr_content: IvrContent, tmp_path: Path
) -> None:
    item = "{id: o, type: info, prompt: offices_info}"
    body = HEADER + f"menu: {{id: main, prompt: toll_free_main, items: {{'1': {item}}}}}\n"
    _write(tmp_path, body, "a.yaml")
    _write(tmp_path, body, "b.yaml")
    with pytest.raises(MenuError, match="number 123 is already the line 'test'"):
        load_trees(tmp_path, ivr_content.catalog, ivr_content.library.duration, ACTIONS.keys())


def test_menus_check_command(tmp_path: Path, ivr_content: IvrContent) -> None:
    env = {"CALLGRID_VAR_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "callgrid", "menus", "check"]
    shipped = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert shipped.returncode == 0, shipped.stderr
    assert shipped.stdout.count("ok  ") == 4 and "toll_free.yaml" in shipped.stdout
    items = "\n".join(
        f'    "{key}": {{id: info{key}, type: info, prompt: offices_info}}' for key in range(1, 9)
    )
    bad = tmp_path / "bad"
    bad.mkdir()
    _write(
        bad, HEADER + "menu:\n  id: crowded\n  prompt: toll_free_main\n  items:\n" + items + "\n"
    )
    rejected = subprocess.run(
        [*command, str(bad)], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert rejected.returncode == 1
    assert "node 'crowded' (menu): has 8 items on one level" in rejected.stderr
