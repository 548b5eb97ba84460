"""Prompt catalogs mutated from the shipped one: each is loaded, or refused with a
CatalogError naming the file and the place (the prompt, or the line of the YAML).

The tests after the fuzz loop pin down the defects it found (all fixed): each once let
out a bare exception, kept the second of two prompts, or rendered no audio.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from prompts.catalog import DEFAULT_CATALOG, CatalogError, PromptCatalog, load_catalog
from prompts.render import MANIFEST, render_catalog
from tests.fuzz import tally
from tests.fuzz.yaml_mutations import mutated_yaml

CATALOGS = 400
PLACES = ("prompt ", "line ", "must map prompt ids", "larger than")
"""A prompt by its id, a line of the file, or the file as a whole."""


def load(data: bytes, path: Path) -> PromptCatalog | CatalogError:
    path.write_bytes(data)
    try:
        return load_catalog(path)
    except CatalogError as error:
        return error


def catalog_pieces() -> list[bytes]:
    """The shipped catalog cut into runs of a few prompts: a mutation is local, and a
    whole catalog takes PyYAML's pure-Python loader some 25 ms."""
    entries: list[list[bytes]] = [[]]
    for line in DEFAULT_CATALOG.read_bytes().splitlines(keepends=True):
        if line[:1].isalpha() and entries[-1]:
            entries.append([])
        entries[-1].append(line)
    joined = [b"".join(entry) for entry in entries]
    return [b"".join(joined[start : start + 6]) for start in range(0, len(joined), 3)]


def test_mutated_catalogs_load_or_are_refused_naming_the_place(tmp_path: Path) -> None:
    rng = tally.rng("prompt-catalog")
    seeds = catalog_pieces()
    outcomes: dict[str, int] = {}
    for number in range(CATALOGS):
        path = tmp_path / f"catalog-{number}.yaml"
        outcome = load(mutated_yaml(rng, rng.choice(seeds)), path)
        kind = type(outcome).__name__
        outcomes[kind] = outcomes.get(kind, 0) + 1
        if isinstance(outcome, PromptCatalog):
            assert all(prompt.full.strip() for prompt in outcome.prompts.values())
        else:
            message = str(outcome)
            assert message.startswith(f"{path}: "), f"{message!r} does not name the file"
            assert any(place in message for place in PLACES), f"{message!r} names no place"
    count = tally.tried("prompt-catalog", CATALOGS)
    print(f"  prompt-catalog outcomes: {outcomes}")
    assert outcomes.get("PromptCatalog", 0) > 0 and outcomes.get("CatalogError", 0) > 0, count


def test_a_catalog_that_is_not_utf_8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_bytes("goodbye: До свидания.\n".encode("cp1251"))
    with pytest.raises(CatalogError, match="line 1"):
        load_catalog(path)


@pytest.mark.parametrize(
    "value",
    ["!!bool maybe", "!!int abc", "!!float abc", "!!timestamp abc", "2020-02-30", "9" * 5000],
    ids=["bool", "int", "float", "timestamp", "no-such-day", "5000-digits"],
)
def test_a_value_yaml_cannot_build_is_refused_naming_the_line(tmp_path: Path, value: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(f"goodbye: До свидания.\nbad: {value}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="line 2"):
        load_catalog(path)


def test_a_prompt_id_too_long_to_write_out_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(f"? 0x{'f' * 4000}\n: До свидания.\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="prompt id"):
        load_catalog(path)


def test_a_prompt_given_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("goodbye: До свидания.\ngoodbye: Всего доброго.\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"line 2.*'goodbye' is given twice \(first on line 1\)"):
        load_catalog(path)


def test_a_broken_manifest_renders_the_prompts_again(tmp_path: Path) -> None:
    """A stop while manifest.json was written (before it was written atomically) left one
    cut short; the engine could not start."""
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text("goodbye: До свидания.\n", encoding="utf-8")
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / MANIFEST).write_text('{"goodbye-short": {"dig', encoding="utf-8")
    library = render_catalog(load_catalog(catalog_path), tmp_path / "prompts")
    assert library.duration("goodbye", "full")


def test_a_text_starting_with_a_dash_is_spoken(tmp_path: Path) -> None:
    """espeak-ng once got the text as an argument, and read ``--version`` as its option."""
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text('minus: "--version"\n', encoding="utf-8")
    library = render_catalog(load_catalog(catalog_path), tmp_path / "prompts")
    assert library.duration("minus", "full")
