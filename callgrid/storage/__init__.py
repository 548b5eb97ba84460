"""Storage: SQLAlchemy 2 (async) on SQLite by default, PostgreSQL in production."""

from callgrid.storage.database import Database

__all__ = ["Database"]
