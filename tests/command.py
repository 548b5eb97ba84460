"""Running ``callgrid`` as a user does, its var/ in a temp folder.

``run_callgrid`` runs the command's own ``main`` with the user's arguments, environment
and working folder, on a thread of its own (each command starts its own event loop),
and hands back what a process would: exit code, stdout, stderr. Starting a Python
process per command cost about 3 s on these machines, for ~60 commands;
``run_callgrid_process`` is the real separate process, for the tests that are about it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from callgrid.cli import main

_ONE_AT_A_TIME = threading.Lock()


def run_callgrid(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"CALLGRID_VAR_DIR": str(tmp_path / "var")}
    stdout, stderr = io.StringIO(), io.StringIO()
    outcome: list[int] = []

    def run() -> None:
        try:
            outcome.append(main(list(args)))
        except SystemExit as exit_:  # argparse refusals exit as a process would
            code = exit_.code
            outcome.append(code if isinstance(code, int) else 0 if code is None else 1)

    with (
        _ONE_AT_A_TIME,
        _environment(env),
        _working_folder(tmp_path),
        _root_logging(),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        worker = threading.Thread(target=run, name="callgrid-command")
        worker.start()
        worker.join(timeout=120)
    if worker.is_alive():
        raise TimeoutError(f"callgrid {' '.join(args)} did not end in 120 s")
    return subprocess.CompletedProcess(
        ["callgrid", *args], outcome[0] if outcome else 1, stdout.getvalue(), stderr.getvalue()
    )


def run_callgrid_process(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CALLGRID_VAR_DIR": str(tmp_path / "var")}
    return subprocess.run(
        [sys.executable, "-m", "callgrid", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _working_folder(folder: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def _root_logging() -> Iterator[None]:
    """The command sets up its own log handlers (closing those it finds); the test's are
    set aside meanwhile and come back after it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.handlers[:] = []
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
