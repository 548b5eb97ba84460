"""Running ``callgrid`` as a user does: a separate process, its var/ in a temp folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_callgrid(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CALLGRID_VAR_DIR": str(tmp_path / "var")}
    return subprocess.run(
        [sys.executable, "-m", "callgrid", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
