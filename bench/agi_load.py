"""FastAGI load: N concurrent emulated calls walking the menu, engine vs a bare responder.

The load generator (the emulated Asterisk) runs in a process of its own, as Asterisk
would, and keeps ``--concurrency`` calls up until ``--calls`` have been made. Each call
walks the toll-free menu four levels down and back, hears information and reaches an
operator: about twenty AGI commands. Command turnaround is measured on the Asterisk
side: from the moment a reply is written to the moment the next command arrives.

The bare responder is a plain asyncio FastAGI server that sends the very same command
sequence with no logic and no storage: the ceiling for Python on this machine.

    python -m bench.agi_load [--calls 10000] [--concurrency 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from callgrid.engine import Engine, tune_garbage_collector
from callgrid.settings import Settings
from ivr.demo import DEMO_DAY
from ivr.settings import IvrSettings
from telephony.dialplan import PARKED_BY_VARIABLE
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_commands import QueueBehaviour
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
from worktime.clock import RunningClock

CALLER_SCRIPT = "4 1 2 * * 2 _ 1 2 * 0"


# -- the load generator (runs in its own process) -----------------------------------------
async def generate(
    port: int, calls: int, concurrency: int, prompts: Path, think_ms: float
) -> dict[str, object]:
    sounds = SoundLibrary([prompts])
    think = (lambda: random.uniform(0, 2 * think_ms / 1000)) if think_ms else None
    turnarounds: list[float] = []
    commands = 0
    remaining = calls
    failures = 0

    async def one_caller() -> None:
        nonlocal remaining, commands, failures
        while remaining > 0:
            remaining -= 1
            channel = EmulatedChannel(
                "127.0.0.1",
                port,
                ScriptedCaller.from_keys(CALLER_SCRIPT),
                sounds,
                ChannelSettings(queue=QueueBehaviour(answer_after=5.0, talk_seconds=30.0)),
                measure_turnaround=True,
                think_time=think,
            )
            try:
                await channel.run()
            except OSError:
                failures += 1
                continue
            commands += channel.commands_answered
            turnarounds.extend(channel.turnarounds[1:])  # the first is the environment

    started = time.perf_counter()
    await asyncio.gather(*(one_caller() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ordered = sorted(turnarounds)
    return {
        "calls": calls - failures,
        "failures": failures,
        "seconds": elapsed,
        "commands": commands,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[int(len(ordered) * 0.99)],
        "max_ms": 1000 * ordered[-1],
    }


# -- the bare responder ------------------------------------------------------------------
Sessions = dict[str, list[str]]
"""The commands the engine sends in each FastAGI session of a call, by AGI script."""


async def bare_responder(sessions: Sessions) -> asyncio.Server:
    """Sends each session's commands, chosen by the script Asterisk asks for, and names
    itself where the engine named itself (CALLGRID_PARKED_BY), so that the emulated
    dialplan comes back to it for the after-queue session as it does to the engine."""
    replay: Sessions = {}

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        script = ""
        while line := (await reader.readline()).strip():
            if line.startswith(b"agi_network_script: "):
                script = line.decode().split(": ", 1)[1].partition("?")[0]
        for command in replay.get(script, []):
            writer.write(command.encode() + b"\n")
            while True:
                line = await reader.readline()
                if not line or (line[:1] in b"25" and not line.startswith(b"520-")):
                    break
            if not line:
                break
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=4096)
    itself = f"agi://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    for script, commands in sessions.items():
        replay[script] = [
            f"SET VARIABLE {PARKED_BY_VARIABLE} {itself}"
            if command.startswith(f"SET VARIABLE {PARKED_BY_VARIABLE} ")
            else command
            for command in commands
        ]
    return server


async def command_sequence(port: int, prompts: Path) -> Sessions:
    """The commands the engine sends for one call of the script, session by session:
    what the bare one sends."""
    channel = EmulatedChannel(
        "127.0.0.1",
        port,
        ScriptedCaller.from_keys(CALLER_SCRIPT),
        SoundLibrary([prompts]),
        ChannelSettings(queue=QueueBehaviour(answer_after=5.0, talk_seconds=30.0)),
        keep_wire=True,
    )
    await channel.run()
    sessions: Sessions = {}
    script = ""
    for direction, line in channel.wire:
        if direction == "<<" and line.startswith("agi_network_script: "):
            script = line.split(": ", 1)[1].partition("?")[0]
            sessions[script] = []
        elif direction == ">>":
            sessions[script].append(line)
    return sessions


def run_generator(
    port: int, calls: int, concurrency: int, prompts: Path, think_ms: float
) -> dict[str, object]:
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.agi_load",
            "--generate",
            str(port),
            "--calls",
            str(calls),
            "--concurrency",
            str(concurrency),
            "--prompts",
            str(prompts),
            "--think-ms",
            str(think_ms),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def report(name: str, figures: dict[str, object], cpu_seconds: float) -> None:
    seconds = float(figures["seconds"])  # type: ignore[arg-type]
    calls = int(figures["calls"])  # type: ignore[call-overload]
    commands = int(figures["commands"])  # type: ignore[call-overload]
    print(
        f"{name:<16} {calls:>7} calls {seconds:7.2f} s {calls / seconds:8.1f} calls/s "
        f"{commands / seconds:9.0f} cmd/s  turnaround p50 {figures['p50_ms']:.2f} ms "
        f"p99 {figures['p99_ms']:.2f} ms max {figures['max_ms']:.1f} ms  "
        f"server CPU {1e6 * cpu_seconds / max(commands, 1):.0f} µs/cmd  "
        f"failures {figures['failures']}"
    )


async def compare(
    engine_port: int,
    bare_port: int,
    calls: int,
    concurrency: int,
    prompts: Path,
    think_ms: float,
    engine_cpu: Callable[[], float],
) -> None:
    loop = asyncio.get_running_loop()
    figures = {}
    for name, port in (("engine (IVR)", engine_port), ("bare responder", bare_port)):
        cpu = engine_cpu()
        figures[name] = await loop.run_in_executor(
            None, run_generator, port, calls, concurrency, prompts, think_ms
        )
        report(name, figures[name], engine_cpu() - cpu)
    engine, bare = figures["engine (IVR)"], figures["bare responder"]
    ratio = (engine["calls"] / engine["seconds"]) / (bare["calls"] / bare["seconds"])  # type: ignore[operator]
    print(f"  engine throughput = {100 * ratio:.0f} % of the bare responder's")


async def main(calls: int, concurrency: int, think_ms: float) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(var_dir=Path(scratch), agi_port=0, ami_enabled=False)
        prompts_dir = settings.of(IvrSettings).prompts_dir
        engine = Engine(settings, RunningClock(DEMO_DAY), parts=("agi",))  # operators at work
        await engine.start()
        tune_garbage_collector()  # as `callgrid serve` does
        assert engine.agi is not None
        sessions = await command_sequence(engine.agi.port, prompts_dir)
        bare = await bare_responder(sessions)
        bare_port = bare.sockets[0].getsockname()[1]
        print(
            f"{os.cpu_count()} cores; {sum(map(len, sessions.values()))} AGI commands a call "
            f"in {len(sessions)} sessions ({', '.join(sessions)}); engine storage "
            "SQLite (WAL); load generator in its own process"
        )
        print(f"\n1) as fast as the generator can: {calls} calls, {concurrency} at once")
        await compare(
            engine.agi.port,
            bare_port,
            calls,
            concurrency,
            prompts_dir,
            0.0,
            time.process_time,
        )
        print(
            f"\n2) {concurrency} calls at once, each reply held back 0-{2 * think_ms:g} ms "
            f"(prompts playing): {calls // 2} calls"
        )
        await compare(
            engine.agi.port,
            bare_port,
            calls // 2,
            concurrency,
            prompts_dir,
            think_ms,
            time.process_time,
        )
        bare.close()
        await engine.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2000)
    parser.add_argument(
        "--think-ms",
        type=float,
        default=1000.0,
        help="mean hold-back of each reply in the paced run",
    )
    parser.add_argument("--generate", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--prompts", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        figures = asyncio.run(
            generate(args.generate, args.calls, args.concurrency, args.prompts, args.think_ms)
        )
        print(json.dumps(figures))
    else:
        asyncio.run(main(args.calls, args.concurrency, args.think_ms))
