"""The prompt catalog and its audio: what Asterisk will play."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from ivr.content import IvrContent
from prompts.catalog import CatalogError, load_catalog
from prompts.render import render_catalog


def test_every_prompt_is_rendered_as_8khz_16bit_mono_wav(ivr_content: IvrContent) -> None:
    library = ivr_content.library
    assert len(library.durations) == 2 * len(ivr_content.catalog.prompts)
    for prompt_id in ivr_content.catalog.prompts:
        for variant in ("short", "full"):
            with wave.open(str(library.path(prompt_id, variant)), "rb") as audio:
                assert (audio.getframerate(), audio.getsampwidth(), audio.getnchannels()) == (
                    8000,
                    2,
                    1,
                )
                assert audio.getnframes() > 8000 * 0.5, f"{prompt_id}-{variant} is nearly silent"


def test_full_variants_say_more_than_short_ones(ivr_content: IvrContent) -> None:
    library = ivr_content.library
    for menu in ("toll_free_main", "payments_menu", "tariffs_menu"):
        assert library.duration(menu, "full") > library.duration(menu, "short")  # type: ignore[operator]


def test_rendering_again_only_renders_what_changed(tmp_path: Path) -> None:
    catalog_file = tmp_path / "catalog.yaml"
    catalog_file.write_text("hello: Здравствуйте.\nbye: До свидания.\n", encoding="utf-8")
    first = render_catalog(load_catalog(catalog_file), tmp_path / "out")
    stamp = (tmp_path / "out" / "hello-short.wav").stat().st_mtime_ns
    catalog_file.write_text(
        "hello: Здравствуйте.\nbye: До скорой встречи, всего доброго.\n", encoding="utf-8"
    )
    second = render_catalog(load_catalog(catalog_file), tmp_path / "out")
    assert (tmp_path / "out" / "hello-short.wav").stat().st_mtime_ns == stamp
    assert second.durations["bye-full"] > first.durations["bye-full"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("- a list\n", "must map prompt ids to texts"),
        ("Hello: text\n", "'Hello' must be lower_snake_case"),
        ("empty: {short: ''}\n", "'empty' has an empty or non-text variant"),
        ("odd: {long: text}\n", "'odd' needs a text or short/full texts"),
        ("broken: [unclosed\n", "cannot read the prompt catalog"),
    ],
)
def test_a_bad_catalog_is_refused_with_the_reason(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError, match=message):
        load_catalog(path)
