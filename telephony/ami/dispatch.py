"""Delivery of events to subscribers: sync handlers inline, async ones as tasks.

A handler that raises is logged and skipped; it never stops the reader that calls
:meth:`EventDispatcher.emit`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telephony.ami.event_base import AmiEvent

log = logging.getLogger(__name__)

EventHandler = Callable[[AmiEvent], Awaitable[Any] | None]
ANY_EVENT = "*"


class EventDispatcher:
    def __init__(self) -> None:
        self._handlers: dict[str, list[EventHandler]] = {}
        self._running: set[asyncio.Future[Any]] = set()

    def subscribe(self, name: str, handler: EventHandler) -> Callable[[], None]:
        """``name`` is an event name (any case) or ``*``; returns the unsubscribe function."""
        handlers = self._handlers.setdefault(name.lower(), [])
        handlers.append(handler)

        def unsubscribe() -> None:
            if handler in handlers:
                handlers.remove(handler)

        return unsubscribe

    def emit(self, event: AmiEvent) -> None:
        for key in (event.name.lower(), ANY_EVENT):
            for handler in list(self._handlers.get(key, ())):
                try:
                    result = handler(event)
                except Exception:
                    log.exception("AMI handler %r failed on %s", handler, event.name)
                    continue
                if inspect.isawaitable(result):
                    self._track(asyncio.ensure_future(result), handler, event)

    async def cancel_running(self) -> None:
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    def _track(self, task: asyncio.Future[Any], handler: EventHandler, event: AmiEvent) -> None:
        self._running.add(task)

        def finished(done: asyncio.Future[Any]) -> None:
            self._running.discard(done)
            if not done.cancelled() and done.exception() is not None:
                log.error(
                    "AMI handler %r failed on %s", handler, event.name, exc_info=done.exception()
                )

        task.add_done_callback(finished)
