"""The sounds Asterisk plays on its own when no engine answers (``Playback()`` in the
dialplan), shipped in ``asterisk-conf/sounds/``.

They are rendered like the prompts (espeak-ng, then sox) to 8 kHz 16-bit mono PCM WAV,
which Asterisk's ``format_wav`` plays; the invitation to leave a message ends with the
engine's own signal (:mod:`prompts.tones`), the one the engine plays before recording.
:func:`write_asterisk_sounds` writes them again after a change of text or voice.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from prompts.render import speak_to_wav
from prompts.tones import RATE, SAMPLE_BYTES, beep_frames, read_frames, silence_frames, write_wav

ENGINE_DOWN = "callgrid-engine-down"
LEAVE_MESSAGE = "callgrid-leave-message"
TEXTS = {
    ENGINE_DOWN: (
        "Извините, сейчас мы не можем обработать ваш звонок автоматически. Соединяем с оператором."
    ),
    LEAVE_MESSAGE: (
        "Операторы сейчас не могут ответить. Оставьте, пожалуйста, сообщение после сигнала: "
        "ваш номер и суть вопроса."
    ),
}
"""What each file says, by the name the dialplan plays it under (``.wav`` added)."""
ENDING_WITH_BEEP = frozenset({LEAVE_MESSAGE})
GAP_BEFORE_BEEP_SECONDS = 0.4


def write_asterisk_sounds(directory: Path) -> dict[str, float]:
    """Render every sound into ``directory``; returns each file name and its seconds.

    Each file is written beside its target and renamed, so Asterisk never plays half a file.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, text in TEXTS.items():
            speech = Path(scratch) / f"{name}.wav"
            speak_to_wav(text, speech)
            frames = read_frames(speech)
            if name in ENDING_WITH_BEEP:
                frames += silence_frames(GAP_BEFORE_BEEP_SECONDS) + beep_frames()
            target = directory / f"{name}.wav"
            partial = directory / f".{name}.{os.getpid()}.wav"
            try:
                write_wav(partial, frames)
                partial.replace(target)
            finally:
                partial.unlink(missing_ok=True)
            written[target.name] = len(frames) / SAMPLE_BYTES / RATE
    return written
