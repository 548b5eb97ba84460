"""Reads the reference transcripts captured from a real Asterisk 22.10.1.

The transcripts live in ``../shared/asterisk-reference/`` beside the repository (or
where ``CALLGRID_REFERENCE_DIR`` points). Each wire line looks like
``[+  2.223] << 200 result=53 endpos=17760``; ``##`` lines are comments of the capture
tool and were never on the wire.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

REFERENCE_DIR = Path(
    os.environ.get(
        "CALLGRID_REFERENCE_DIR",
        Path(__file__).resolve().parents[1].parent / "shared" / "asterisk-reference",
    )
)

_LINE = re.compile(r"^\[\+\s*(?P<t>\d+\.\d+)\] (?P<dir><<|>>|##) ?(?P<text>.*)$")


@dataclass(frozen=True)
class TranscriptLine:
    seconds: float
    direction: str  # "<<" from Asterisk, ">>" to Asterisk, "##" a capture comment
    text: str


def load(relative: str) -> list[TranscriptLine]:
    path = REFERENCE_DIR / relative
    if not path.exists():
        raise FileNotFoundError(
            f"reference transcript {path} is missing (set CALLGRID_REFERENCE_DIR)"
        )
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(raw)
        if match:
            lines.append(TranscriptLine(float(match["t"]), match["dir"], match["text"]))
    return lines


def from_asterisk(relative: str) -> list[str]:
    return [line.text for line in load(relative) if line.direction == "<<"]


def exchanges(relative: str) -> list[tuple[str, list[str]]]:
    """AGI command lines the engine sent, each with the lines Asterisk sent after it."""
    pairs: list[tuple[str, list[str]]] = []
    for line in load(relative):
        if line.direction == ">>":
            pairs.append((line.text, []))
        elif line.direction == "<<" and pairs:
            pairs[-1][1].append(line.text)
    return pairs


def environment(relative: str) -> list[str]:
    """The environment block of an AGI transcript, up to and including the blank line."""
    block = []
    for text in from_asterisk(relative):
        block.append(text)
        if text == "":
            break
    return block


def ami_messages(
    relative: str, direction: str = "<<", connection: int | None = None
) -> list[list[str]]:
    """The AMI messages of one direction, each as its header lines, without the banner.

    ``connection`` keeps only the n-th TCP connection of a file that announces them
    with ``## connection n:`` comments (ami-login.txt); other files are connection 1.
    """
    messages: list[list[str]] = []
    current: list[str] = []
    current_connection = 1
    for line in load(relative):
        announced = re.match(r"connection (\d+)", line.text) if line.direction == "##" else None
        if announced:
            current_connection = int(announced[1])
        if line.direction != direction:
            continue
        if connection is not None and connection != current_connection:
            continue
        if line.text == "":
            if current:
                messages.append(current)
            current = []
        elif current or not line.text.startswith("Asterisk Call Manager/"):
            current.append(line.text)
    return messages
