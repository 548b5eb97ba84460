"""Transitional: the old storage package."""

from callgrid.database import Database

__all__ = ["Database"]
