"""``callgrid serve`` refusing to start says why in one line, and never shows a secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.engine_process import free_port


def _serve(tmp_path: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CALLGRID_VAR_DIR": str(tmp_path / "var"),
        "CALLGRID_DATABASE_URL": database_url,
        "CALLGRID_AMI_ENABLED": "no",
        "CALLGRID_AGI_PORT": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "callgrid", "serve", "--only", "agi"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


def test_an_unreachable_database_stops_serve_with_one_line(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://bob:hunter22secret@127.0.0.1:{free_port()}/callgrid"
    result = _serve(tmp_path, url)
    assert result.returncode == 1
    assert "callgrid: cannot start:" in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter22secret" not in result.stderr + result.stdout


def test_a_database_url_that_cannot_be_read_is_named_but_not_shown(tmp_path: Path) -> None:
    result = _serve(tmp_path, "postgres//bob:hunter22secret@@db")
    assert result.returncode == 2
    assert "CALLGRID_DATABASE_URL" in result.stderr
    assert "hunter22secret" not in result.stderr + result.stdout
