"""The capabilities this engine is made of, providers before the ones that use them.

Adding a capability is a new folder with a ``plugin.py`` and a line here."""

PLUGIN_MODULES = (
    "customers.plugin",
    "recordings.plugin",
    "callcenter.plugin",
    "autodialer.plugin",
    "ivr.plugin",
)
