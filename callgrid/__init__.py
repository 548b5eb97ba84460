"""callgrid: the application shell — configuration, storage, web, command line."""

__version__ = "0.1.0"
