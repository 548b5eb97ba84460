from callgrid.database import Base, UtcDateTime  # noqa: F401  (transitional)
