"""Phrases made during calls: a bounded cache, private words, and refused bad phrases.

Rendering is real (espeak-ng and sox); time is a manual clock.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from prompts.phrases import PhraseLibrary, PhraseRejected, phrase_text
from prompts.render import wav_seconds
from worktime.clock import ManualClock

DEBT = "Задолженность составляет сто рублей."
READING = "Вы передали: дневная зона — двенадцать тысяч."
OUTAGE = "Плановое отключение до восемнадцати часов."


def phrase_files(directory: Path) -> set[str]:
    return {path.name for path in directory.iterdir()}


def audio(directory: Path, asterisk_name: str) -> Path:
    return directory / f"{Path(asterisk_name).name}.wav"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return tmp_path / "phrases"


async def test_beyond_max_files_the_least_recently_used_phrase_is_removed(
    directory: Path, clock: ManualClock
) -> None:
    library = PhraseLibrary(directory, clock=clock, max_files=2, keep_seconds=60)
    debt = await library.file_for(DEBT)
    reading = await library.file_for(READING)
    clock.advance(61)
    assert await library.file_for(DEBT) == debt  # used again: now the reading is older
    outage = await library.file_for(OUTAGE)
    assert not audio(directory, reading).exists()
    assert not audio(directory, reading).with_suffix(".txt").exists()
    assert audio(directory, debt).exists() and audio(directory, outage).exists()
    assert len(phrase_files(directory)) == 4  # two phrases, audio and words each
    assert library.cached_files == 2


async def test_an_evicted_phrase_is_rendered_again_when_asked_for(
    directory: Path, clock: ManualClock
) -> None:
    library = PhraseLibrary(directory, clock=clock, max_files=1, keep_seconds=60)
    reading = await library.file_for(READING)
    clock.advance(61)
    await library.file_for(DEBT)
    assert not audio(directory, reading).exists()
    clock.advance(61)
    assert await library.file_for(READING) == reading
    assert phrase_text(audio(directory, reading)) == READING
    assert wav_seconds(audio(directory, reading)) > 1


async def test_a_phrase_removed_behind_the_librarys_back_is_rendered_again(
    directory: Path, clock: ManualClock
) -> None:
    library = PhraseLibrary(directory, clock=clock)
    debt = await library.file_for(DEBT)
    audio(directory, debt).unlink()  # another engine sharing the directory evicted it
    assert await library.file_for(DEBT) == debt
    assert wav_seconds(audio(directory, debt)) > 1
    assert library.cached_files == 1


async def test_a_phrase_handed_out_within_the_keep_time_is_never_removed(
    directory: Path, clock: ManualClock
) -> None:
    library = PhraseLibrary(directory, clock=clock, max_files=1, keep_seconds=60)
    debt = await library.file_for(DEBT)
    clock.advance(59)
    await library.file_for(READING)
    assert audio(directory, debt).exists(), "a call may be about to play it"
    assert library.cached_files == 2
    clock.advance(2)
    await library.file_for(READING)
    assert not audio(directory, debt).exists()
    assert library.cached_files == 1


async def test_beyond_max_bytes_the_oldest_phrases_are_removed(
    directory: Path, clock: ManualClock
) -> None:
    probe = PhraseLibrary(directory / "probe", clock=clock)
    await probe.file_for(DEBT)
    one_phrase = probe.cached_bytes
    library = PhraseLibrary(directory, clock=clock, max_bytes=one_phrase * 3, keep_seconds=1)
    first = await library.file_for(DEBT)
    for text in (READING, OUTAGE, "Аварийное отключение: повреждение кабельной линии."):
        clock.advance(2)
        await library.file_for(text)
    assert not audio(directory, first).exists()
    assert 0 < library.cached_bytes <= one_phrase * 3


async def test_a_restart_brings_the_phrases_left_on_disk_within_the_bounds(
    directory: Path, clock: ManualClock
) -> None:
    before = PhraseLibrary(directory, clock=clock)
    oldest = await before.file_for(DEBT)
    os.utime(audio(directory, oldest), (1, 1))
    newer = [await before.file_for(text) for text in (READING, OUTAGE)]
    after = PhraseLibrary(directory, clock=clock, max_files=2)
    assert after.cached_files == 2
    assert not audio(directory, oldest).exists()
    assert all(audio(directory, name).exists() for name in newer)


@pytest.fixture(params=[0o000, 0o022, 0o077], ids=["umask000", "umask022", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


async def test_words_are_private_and_audio_readable_by_the_group_whatever_the_umask(
    directory: Path, clock: ManualClock, umask: int
) -> None:
    library = PhraseLibrary(directory, clock=clock)
    name = await library.file_for(DEBT)
    assert mode(directory) == 0o750
    assert mode(audio(directory, name)) == 0o640
    assert mode(audio(directory, name).with_suffix(".txt")) == 0o600


def test_words_left_readable_by_an_older_version_are_made_private(
    directory: Path, clock: ManualClock
) -> None:
    directory.mkdir(mode=0o755)
    stem = "phrase-0123456789abcdef0123"
    (directory / f"{stem}.wav").write_bytes(b"RIFF")
    (directory / f"{stem}.txt").write_text("Задолженность составляет сто рублей.")
    (directory / f"{stem}.txt").chmod(0o644)
    PhraseLibrary(directory, clock=clock)
    assert mode(directory) == 0o750
    assert mode(directory / f"{stem}.txt") == 0o600
    assert mode(directory / f"{stem}.wav") == 0o640


@pytest.mark.parametrize(
    ("value", "type_name"), [(b"bytes", "bytes"), (100, "int"), (None, "NoneType")]
)
async def test_anything_but_text_is_refused_naming_its_type(
    directory: Path, value: object, type_name: str
) -> None:
    library = PhraseLibrary(directory)
    with pytest.raises(TypeError, match=f"must be text \\(str\\), not {type_name}"):
        await library.file_for(value)  # type: ignore[arg-type]
    assert phrase_files(directory) == set()


async def test_a_text_longer_than_the_limit_is_refused_and_nothing_is_kept(
    directory: Path,
) -> None:
    library = PhraseLibrary(directory)
    with pytest.raises(PhraseRejected, match="601 characters is longer than the 600 allowed"):
        await library.file_for("а" * 601)
    short_limit = PhraseLibrary(directory, max_characters=20)
    with pytest.raises(PhraseRejected, match="longer than the 20 allowed"):
        await short_limit.file_for(DEBT)
    assert phrase_files(directory) == set()


async def test_a_phrase_spoken_longer_than_the_limit_is_refused_and_nothing_is_kept(
    directory: Path,
) -> None:
    library = PhraseLibrary(directory, max_spoken_seconds=1.5)
    with pytest.raises(PhraseRejected, match=r"lasts \d+\.\d s, longer than the 1.5 s") as refused:
        await library.file_for(READING)
    assert isinstance(refused.value, ValueError)
    assert phrase_files(directory) == set()
    assert library.cached_files == 0


async def test_by_default_a_phrase_longer_than_sixty_seconds_is_refused(directory: Path) -> None:
    library = PhraseLibrary(directory, max_characters=5000)
    with pytest.raises(PhraseRejected, match="longer than the 60 s a caller may be told at once"):
        await library.file_for(" ".join([READING] * 30))
    assert phrase_files(directory) == set()


@pytest.mark.parametrize(
    "parameter", ["max_files", "max_bytes", "keep_seconds", "max_characters", "max_spoken_seconds"]
)
def test_a_bound_that_is_not_positive_is_refused_by_name(directory: Path, parameter: str) -> None:
    with pytest.raises(ValueError, match=f"{parameter} must be positive, not 0"):
        PhraseLibrary(directory, **{parameter: 0})  # type: ignore[arg-type]
