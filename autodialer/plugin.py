"""The autoinformer: outbound notification campaigns (AD-1 … AD-10).

Nothing is registered yet: campaigns come after recordings."""

from __future__ import annotations

from callgrid.plugins import Plugin


class AutodialerPlugin(Plugin):
    name = "autodialer"


plugin = AutodialerPlugin()
