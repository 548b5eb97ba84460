"""Time, shared by every capability: the clock, the local zone, the production calendar,
opening hours and deadlines in working days. It imports nothing of the engine."""
