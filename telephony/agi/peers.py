"""Which addresses may open a FastAGI connection, and when a refusal is worth a log line.

FastAGI has no authentication: whoever connects can drive the engine's call flow, so
only the configured Asterisk addresses are served. A scan or a misconfigured host
retrying every second must not flood the log, so each address is logged at most once
per :data:`REFUSAL_LOG_INTERVAL`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

REFUSAL_LOG_INTERVAL = 60.0
# Addresses remembered for the log interval before expired ones are swept out.
_REMEMBERED_REFUSALS = 1024

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_peers(entries: Iterable[str]) -> tuple[IpNetwork, ...]:
    """IP addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``) as networks."""
    if isinstance(entries, str):
        entries = (entries,)
    networks: list[IpNetwork] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"allowed_peers entry {entry!r} is not an IP address or network"
            ) from None
    if not networks:
        raise ValueError("allowed_peers is empty: no Asterisk could connect")
    return tuple(networks)


class PeerFilter:
    def __init__(self, allowed: Iterable[str]) -> None:
        self.networks = parse_peers(allowed)
        self._last_logged: dict[str, float] = {}

    def allows(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.networks)

    def should_log_refusal(self, address: str, now: float) -> bool:
        """True for the first refusal of ``address`` in each log interval."""
        last = self._last_logged.get(address)
        if last is not None and now - last < REFUSAL_LOG_INTERVAL:
            return False
        if len(self._last_logged) >= _REMEMBERED_REFUSALS:
            self._last_logged = {
                peer: at
                for peer, at in self._last_logged.items()
                if now - at < REFUSAL_LOG_INTERVAL
            }
        self._last_logged[address] = now
        return True
