"""Prompt catalogs mutated from the shipped one: each is loaded, or refused with a
CatalogError naming the file and the place (the prompt, or the line of the YAML).

prompts/ is not changed from here: the defects found in it are pinned down by the
strict xfail tests below (each passes, and so fails as XPASS, once it is fixed) and are
counted apart by the fuzz loop, which fails on any defect not yet known.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

from prompts.catalog import DEFAULT_CATALOG, CatalogError, PromptCatalog, load_catalog
from prompts.render import MANIFEST, render_catalog
from tests.fuzz import tally
from tests.fuzz.yaml_mutations import mutated_yaml

CATALOGS = 400
PLACES = ("prompt ", "line ", "must map prompt ids")
"""A prompt by its id, a line of the file, or the file as a whole."""


def known_defect(error: Exception) -> bool:
    """What load_catalog lets out today (see the xfail tests): reported, not yet fixed."""
    if isinstance(error, UnicodeDecodeError):
        return True
    frames = traceback.extract_tb(error.__traceback__)
    from_yaml = any(frame.filename.endswith("yaml/constructor.py") for frame in frames)
    too_long = "integer string conversion" in str(error)
    return isinstance(error, ValueError | KeyError | AttributeError) and (from_yaml or too_long)


def load(data: bytes, path: Path) -> PromptCatalog | Exception:
    path.write_bytes(data)
    try:
        return load_catalog(path)
    except Exception as error:
        if isinstance(error, CatalogError) or known_defect(error):
            return error
        raise


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
        known = isinstance(outcome, Exception) and known_defect(outcome)
        kind = "known defect" if known else type(outcome).__name__
        outcomes[kind] = outcomes.get(kind, 0) + 1
        if isinstance(outcome, PromptCatalog):
            assert all(prompt.full.strip() for prompt in outcome.prompts.values())
        elif isinstance(outcome, CatalogError):
            message = str(outcome)
            assert message.startswith(f"{path}: "), f"{message!r} does not name the file"
            assert any(place in message for place in PLACES), f"{message!r} names no place"
    count = tally.tried("prompt-catalog", CATALOGS)
    print(f"  prompt-catalog outcomes: {outcomes}")
    assert outcomes.get("PromptCatalog", 0) > 0 and outcomes.get("CatalogError", 0) > 0, count


DEFECT = "prompts/catalog.py lets it out as a bare {} (reported)"


@pytest.mark.xfail(strict=True, raises=UnicodeDecodeError, reason=DEFECT.format("UnicodeError"))
def test_a_catalog_that_is_not_utf_8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_bytes("goodbye: До свидания.\n".encode("cp1251"))
    with pytest.raises(CatalogError, match="line 1"):
        load_catalog(path)


@pytest.mark.xfail(
    strict=True,
    raises=(ValueError, KeyError, AttributeError),
    reason=DEFECT.format("ValueError, KeyError or AttributeError"),
)
@pytest.mark.parametrize(
    "value",
    ["!!bool maybe", "!!int abc", "!!timestamp abc", "2020-02-30", "9" * 5000],
    ids=["bool", "int", "timestamp", "no-such-day", "5000-digits"],
)
def test_a_value_yaml_cannot_build_is_refused_naming_the_line(tmp_path: Path, value: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(f"goodbye: До свидания.\nbad: {value}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="line 2"):
        load_catalog(path)


@pytest.mark.xfail(strict=True, raises=ValueError, reason=DEFECT.format("ValueError"))
def test_a_prompt_id_too_long_to_write_out_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(f"? 0x{'f' * 4000}\n: До свидания.\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="prompt id"):
        load_catalog(path)


@pytest.mark.xfail(strict=True, reason="prompts/catalog.py keeps the last of two (reported)")
def test_a_prompt_given_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("goodbye: До свидания.\ngoodbye: Всего доброго.\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="goodbye"):
        load_catalog(path)


@pytest.mark.xfail(
    strict=True,
    raises=ValueError,
    reason="prompts/render.py reads a broken manifest.json with json.loads, unguarded "
    "(a stop while it was written leaves one): the engine cannot start (reported)",
)
def test_a_broken_manifest_renders_the_prompts_again(tmp_path: Path) -> None:
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text("goodbye: До свидания.\n", encoding="utf-8")
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / MANIFEST).write_text('{"goodbye-short": {"dig', encoding="utf-8")
    library = render_catalog(load_catalog(catalog_path), tmp_path / "prompts")
    assert library.duration("goodbye", "full")


@pytest.mark.xfail(
    strict=True,
    reason="prompts/render.py passes the text to espeak-ng as an argument: a text that "
    "starts with '-' is read as its option (reported)",
)
def test_a_text_starting_with_a_dash_is_spoken(tmp_path: Path) -> None:
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text('minus: "--version"\n', encoding="utf-8")
    library = render_catalog(load_catalog(catalog_path), tmp_path / "prompts")
    assert library.duration("minus", "full")
