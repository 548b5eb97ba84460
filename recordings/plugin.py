"""Call recordings: the index, 60-day retention and access (REC-1, REC-2, PD-1).

Nothing is registered yet: recording every call is the next capability to land."""

from __future__ import annotations

from callgrid.plugins import Plugin


class RecordingsPlugin(Plugin):
    name = "recordings"


plugin = RecordingsPlugin()
