"""The capabilities this engine is made of, providers before the ones that use them.

Adding a capability is a new folder with a ``plugin.py`` and a line here."""

PLUGIN_MODULES = (
    "customers.plugin",
    "callcenter.plugin",
    "recordings.plugin",
    "autodialer.plugin",
    "ivr.plugin",
)
