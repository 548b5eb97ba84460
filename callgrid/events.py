"""The event hub: capabilities publish what happened, browsers and other parts listen.

Publishing never waits for a listener: each subscriber has a bounded queue, and a
subscriber that falls behind (a slow browser) loses its oldest events and is told how
many it missed, so the hub and every other subscriber go on at full speed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

SUBSCRIBER_QUEUE = 256


@dataclass(frozen=True)
class Event:
    topic: str
    """What kind of thing happened, dotted: ``call.started``, ``ami.link``."""
    data: Mapping[str, Any] = field(default_factory=dict)
    shared: bool = True
    """Carried to the other engine processes (by a bridge, when one runs)."""


class Subscription:
    def __init__(self, hub: EventHub, topics: frozenset[str], size: int) -> None:
        self._hub = hub
        self.topics = topics
        self.queue: asyncio.Queue[Event] = asyncio.Queue(size)
        self.missed = 0

    def wants(self, event: Event) -> bool:
        return not self.topics or any(
            event.topic == t or event.topic.startswith(t + ".") for t in self.topics
        )

    def offer(self, event: Event) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.missed += 1
        self.queue.put_nowait(event)

    async def next(self) -> Event:
        return await self.queue.get()

    def close(self) -> None:
        self._hub._subscriptions.discard(self)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            yield await self.next()


class EventHub:
    """In-process publish/subscribe; a bridge may carry events to other processes."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._forwarders: list[Callable[[Event], None]] = []
        self.published = 0

    def publish(self, topic: str, *, shared: bool = True, **data: Any) -> None:
        """Deliver to this process's subscribers and, when ``shared``, to the bridges."""
        event = Event(topic, data, shared)
        self.deliver(event)
        if shared:
            for forward in self._forwarders:
                forward(event)

    def forward_to(self, forward: Callable[[Event], None]) -> Callable[[], None]:
        """``forward`` sees every shared event published here (it must not block)."""
        self._forwarders.append(forward)
        return lambda: self._forwarders.remove(forward)

    def deliver(self, event: Event) -> None:
        self.published += 1
        for subscription in list(self._subscriptions):
            if subscription.wants(event):
                subscription.offer(event)

    def subscribe(self, *topics: str, size: int = SUBSCRIBER_QUEUE) -> Subscription:
        """Events of these topics (and their sub-topics); all events when none given."""
        subscription = Subscription(self, frozenset(topics), size)
        self._subscriptions.add(subscription)
        return subscription

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)
