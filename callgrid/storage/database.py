from callgrid.database import Database

__all__ = ["Database"]  # transitional
