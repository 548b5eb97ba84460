"""``callgrid serve --only agi`` as a process of its own, as benchmarks and tests run it.

The process gets a fixed FastAGI port, so a restarted engine has the same engine id and
closes the calls its killed predecessor left open before it accepts calls.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

SERVING = "callgrid serving"
START_TIMEOUT = 60.0


def free_port() -> int:
    """A loopback port free now, below Linux's ephemeral range (32768-60999): an engine
    restarted on it is not beaten to it by some client's outgoing connection."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port between 20000 and 32000")


@dataclass
class EngineSetup:
    """Where the engines of one run keep their files and store their records."""

    scratch: Path
    database_url: str
    port: int = field(default_factory=free_port)
    prompts_dir: Path | None = None
    """Prompts rendered already; None renders them into the scratch folder at first start."""
    reply_timeout: float = 120.0
    parts: str = "agi"
    """What ``serve --only`` runs; with ``ami`` the link goes where ``settings`` say."""
    settings: dict[str, str] = field(default_factory=dict)
    """More CALLGRID_* settings, e.g. the AMI address of an emulator."""
    clock_start: str | None = None
    """``serve --clock-start``: the engine's clock runs from this moment."""

    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "CALLGRID_VAR_DIR": str(self.scratch / "var"),
            "CALLGRID_DATABASE_URL": self.database_url,
            "CALLGRID_AGI_PORT": str(self.port),
            "CALLGRID_AGI_REPLY_TIMEOUT": str(self.reply_timeout),
            "CALLGRID_AMI_ENABLED": "no",
        }
        if self.prompts_dir is not None:
            env["CALLGRID_PROMPTS_DIR"] = str(self.prompts_dir)
        if "ami" in self.parts.split(","):
            env["CALLGRID_AMI_ENABLED"] = "yes"
        return {**env, **self.settings}

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "callgrid", "serve", "--only", self.parts]
        if self.clock_start:
            command += ["--clock-start", self.clock_start]
        return command

    @property
    def prompts(self) -> Path:
        return self.prompts_dir or self.scratch / "var" / "prompts"


@dataclass
class EngineProcess:
    """One running engine, its output going to a log file."""

    process: subprocess.Popen[bytes]
    log: Path
    ready_seconds: float
    """From spawning the process to it accepting calls."""

    @classmethod
    def start(cls, setup: EngineSetup, run: int) -> EngineProcess:
        """Spawn an engine and wait (blocking) until it serves FastAGI."""
        log = setup.scratch / f"engine-{run}.log"
        spawned = time.perf_counter()
        with log.open("wb") as output:
            process = subprocess.Popen(
                setup.command(),
                stdout=output,
                stderr=subprocess.STDOUT,
                env=setup.environment(),
                cwd=setup.scratch,
            )
        while SERVING not in log.read_text(errors="replace"):
            if process.poll() is not None or time.perf_counter() - spawned > START_TIMEOUT:
                process.kill()
                raise RuntimeError(f"the engine did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.02)
        return cls(process, log, time.perf_counter() - spawned)

    def rss_bytes(self) -> int:
        """The process's resident memory now (Linux)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS line in /proc/<pid>/status")

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far (Linux)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def kill(self, signum: signal.Signals = signal.SIGKILL, timeout: float = 60.0) -> int:
        """Send ``signum`` and wait for the process to end; its exit code."""
        self.process.send_signal(signum)
        return self.process.wait(timeout)

    def ensure_stopped(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def add_engine_arguments(parser: argparse.ArgumentParser, example_database: str) -> None:
    """``--database`` and ``--prompts``, as every benchmark that runs an engine takes them."""
    parser.add_argument(
        "--database",
        default="",
        help="an empty database to run on (default: SQLite in a scratch folder), e.g. "
        f"postgresql+asyncpg://postgres@127.0.0.1/{example_database}",
    )
    parser.add_argument("--prompts", type=Path, help="prompts rendered already (saves ~6 s)")
