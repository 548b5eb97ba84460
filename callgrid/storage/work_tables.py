from callcenter.tables import OutageRow, TaskRow

__all__ = ["OutageRow", "TaskRow"]  # transitional
