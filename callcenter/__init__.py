"""Operators: queues, routing, callbacks, breaks, transfers and their statistics."""
