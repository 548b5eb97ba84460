"""Emulated calls get uniqueids no other emulating process gives in the same second."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from telephony.emulator.agi_channel import PROCESS_ID_SPACE, EmulatedChannel, emulated_uniqueid
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary

EPOCH = 1_795_774_864.7
REPOSITORY = Path(__file__).resolve().parents[2]
PRINT_UNIQUEID = f"""
from telephony.emulator.agi_channel import EmulatedChannel
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
channel = EmulatedChannel(
    "127.0.0.1", 4573, ScriptedCaller(), SoundLibrary(), wall_clock=lambda: {EPOCH}
)
print(channel.uniqueid)
"""


def test_two_processes_in_the_same_second_get_different_uniqueids() -> None:
    uniqueids = [
        subprocess.run(
            [sys.executable, "-c", PRINT_UNIQUEID],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
        for _ in range(2)
    ]

    assert uniqueids[0] != uniqueids[1]
    for uniqueid in uniqueids:
        assert re.fullmatch(r"1795774864\.\d+", uniqueid), "Asterisk's <epoch>.<n> shape"


def test_channels_of_one_process_differ_too() -> None:
    channels = [
        EmulatedChannel(
            "127.0.0.1", 4573, ScriptedCaller(), SoundLibrary(), wall_clock=lambda: EPOCH
        )
        for _ in range(3)
    ]

    assert len({channel.uniqueid for channel in channels}) == 3


def test_no_two_pairs_of_process_and_sequence_share_a_uniqueid() -> None:
    process_ids = [1, 2, 999, 32_768, 4_000_000, PROCESS_ID_SPACE - 1]
    ids = [emulated_uniqueid(EPOCH, pid, seq) for pid in process_ids for seq in range(1, 500)]

    assert len(set(ids)) == len(ids)
    assert emulated_uniqueid(EPOCH, 1234, 1) != emulated_uniqueid(EPOCH, 1235, 1)
