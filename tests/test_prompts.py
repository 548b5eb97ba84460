"""The prompt catalog and its audio: what Asterisk will play."""

from __future__ import annotations

import itertools
import struct
import wave
from pathlib import Path

import pytest

from ivr.content import IvrContent
from prompts.asterisk_sounds import ENGINE_DOWN, LEAVE_MESSAGE, write_asterisk_sounds
from prompts.catalog import CatalogError, load_catalog
from prompts.render import BEEP, MANIFEST, PAUSE, render_catalog
from prompts.tones import beep_frames

SHIPPED_SOUNDS = Path(__file__).resolve().parents[1] / "asterisk-conf" / "sounds"
ASTERISK_SOUNDS = (f"{ENGINE_DOWN}.wav", f"{LEAVE_MESSAGE}.wav")


def _format_and_seconds(path: Path) -> tuple[tuple[int, int, int, str], float]:
    """(rate, sample bytes, channels, compression) and the length of a WAV file."""
    with wave.open(str(path), "rb") as audio:
        kind = (
            audio.getframerate(),
            audio.getsampwidth(),
            audio.getnchannels(),
            audio.getcomptype(),
        )
        return kind, audio.getnframes() / audio.getframerate()


def _frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as audio:
        return audio.readframes(audio.getnframes())


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
        ("hello: &a Здравствуйте.\nagain: *a\n", "line 1, column 8: anchor &a is not allowed"),
        ("odd: {short: a, short: b}\n", "line 1, column 17: key 'short' is given twice"),
        ('bell: "Звонок\\a"\n', "'bell' has a control character \\(U\\+0007\\)"),
        ("99: text\n", "prompt id 99 must be lower_snake_case"),
    ],
)
def test_a_bad_catalog_is_refused_with_the_reason(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError, match=message):
        load_catalog(path)


def test_a_text_naming_a_file_is_spoken_as_written(tmp_path: Path) -> None:
    """A text starting with ``-`` is not read by espeak-ng as its option ``-f``."""
    speech = tmp_path / "long.txt"
    speech.write_text("Раз два три четыре пять. " * 20, encoding="utf-8")
    catalog_file = tmp_path / "catalog.yaml"
    catalog_file.write_text(f'dash: "-f{speech}"\n', encoding="utf-8")
    library = render_catalog(load_catalog(catalog_file), tmp_path / "out")
    seconds = library.duration("dash", "full")
    assert seconds is not None and 0.5 < seconds < 15, "the words of the path, not of the file"


def test_rendering_leaves_only_prompts_and_a_manifest_that_is_read_again(tmp_path: Path) -> None:
    catalog_file = tmp_path / "catalog.yaml"
    catalog_file.write_text("hello: Здравствуйте.\n", encoding="utf-8")
    render_catalog(load_catalog(catalog_file), tmp_path / "out")
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    expected = [MANIFEST, f"{BEEP}.wav", "hello-full.wav", "hello-short.wav", f"{PAUSE}.wav"]
    assert names == sorted(expected), "no scratch file is left behind"
    stamp = (tmp_path / "out" / "hello-short.wav").stat().st_mtime_ns
    render_catalog(load_catalog(catalog_file), tmp_path / "out")
    assert (tmp_path / "out" / "hello-short.wav").stat().st_mtime_ns == stamp


def test_a_manifest_entry_of_the_wrong_shape_renders_the_prompt_again(tmp_path: Path) -> None:
    catalog_file = tmp_path / "catalog.yaml"
    catalog_file.write_text("hello: Здравствуйте.\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / MANIFEST).write_text(
        '{"hello-short": {"digest": 5}, "hello-full": ["x"]}', encoding="utf-8"
    )
    library = render_catalog(load_catalog(catalog_file), tmp_path / "out")
    assert library.duration("hello", "short") and library.duration("hello", "full")


def test_the_signal_before_a_message_is_a_quarter_second_of_1khz(ivr_content: IvrContent) -> None:
    beep = ivr_content.library.directory / f"{BEEP}.wav"
    kind, seconds = _format_and_seconds(beep)
    assert kind == (8000, 2, 1, "NONE") and 0.2 <= seconds <= 0.3
    samples = struct.unpack(f"<{len(_frames(beep)) // 2}h", _frames(beep))
    rising = sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b)
    assert abs(rising / seconds - 1000) < 50, "one rising zero crossing a cycle: 1 kHz"
    assert max(abs(sample) for sample in samples) > 8000, "loud enough to be heard"


@pytest.mark.parametrize("name", ASTERISK_SOUNDS)
def test_the_shipped_asterisk_sounds_are_what_format_wav_plays(name: str) -> None:
    kind, seconds = _format_and_seconds(SHIPPED_SOUNDS / name)
    assert kind == (8000, 2, 1, "NONE"), "8 kHz 16-bit mono PCM"
    assert 1.0 <= seconds <= 10.0


def test_the_invitation_to_leave_a_message_ends_with_the_engines_signal() -> None:
    assert _frames(SHIPPED_SOUNDS / f"{LEAVE_MESSAGE}.wav").endswith(beep_frames())
    assert not _frames(SHIPPED_SOUNDS / f"{ENGINE_DOWN}.wav").endswith(beep_frames())


def test_the_asterisk_sounds_are_written_again_as_shipped(tmp_path: Path) -> None:
    written = write_asterisk_sounds(tmp_path / "sounds")
    assert sorted(written) == sorted(ASTERISK_SOUNDS)
    for name in ASTERISK_SOUNDS:
        shipped_kind, shipped_seconds = _format_and_seconds(SHIPPED_SOUNDS / name)
        kind, seconds = _format_and_seconds(tmp_path / "sounds" / name)
        assert kind == shipped_kind and seconds == pytest.approx(written[name])
        assert seconds == pytest.approx(shipped_seconds, rel=0.15), "the same words"
    left = sorted(path.name for path in (tmp_path / "sounds").iterdir())
    assert left == sorted(ASTERISK_SOUNDS), "no scratch file is left behind"
