"""Call recordings: index, 60-day retention, access by role (REC-1, REC-2, PD-1)."""
