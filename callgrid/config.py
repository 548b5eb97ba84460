from callgrid.settings import Settings, SettingsError  # noqa: F401  (transitional)
