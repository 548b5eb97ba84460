"""How many inputs each door of the fuzz suite was fed, and the seed that made them.

Each door's test calls :func:`tried` with its count; the suite's conftest prints the
counts at the end of every pytest run. The inputs come from :func:`rng`: one seed for the
whole run (``CALLGRID_FUZZ_SEED`` to replay another), so a failure can be reproduced.
"""

from __future__ import annotations

import os
import random

DEFAULT_SEED = 20261127
SEED = int(os.environ.get("CALLGRID_FUZZ_SEED", DEFAULT_SEED))
TRIED: dict[str, int] = {}


def rng(door: str) -> random.Random:
    """A generator of this door's inputs: the same for the same seed, whatever ran before."""
    return random.Random(f"{SEED}:{door}")


def tried(door: str, count: int) -> str:
    """Record (and print) how many inputs ``door`` was fed; the line, for an assertion."""
    TRIED[door] = TRIED.get(door, 0) + count
    line = f"fuzz {door}: {count} inputs (seed {SEED})"
    print(line)
    return line
