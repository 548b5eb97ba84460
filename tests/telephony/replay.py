"""An Asterisk that replays a reference transcript to the engine's FastAGI server.

It sends the transcript's environment block, then expects each command the engine
sends to be exactly the transcript's ``>>`` line, and answers with the ``<<`` lines
that followed it on the real Asterisk. The engine's real network code runs against it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from tests import transcripts


@dataclass
class Replay:
    transcript: str
    stop_before: int | None = None
    commands_seen: list[str] = field(default_factory=list)
    mismatches: list[tuple[str, str]] = field(default_factory=list)

    async def run(self, port: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            await self._run(port)

    async def _run(self, port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        environment = transcripts.environment(self.transcript)
        writer.write("".join(line + "\n" for line in environment).encode())
        exchanges = transcripts.exchanges(self.transcript)[: self.stop_before]
        for expected, replies in exchanges:
            raw = await reader.readline()
            if not raw:
                break
            line = raw.decode().rstrip("\n")
            self.commands_seen.append(line)
            if line != expected:
                self.mismatches.append((expected, line))
                break
            writer.write("".join(reply + "\n" for reply in replies).encode())
            await writer.drain()
        await reader.read()  # until the engine closes
        writer.close()
