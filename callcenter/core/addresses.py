"""IP addresses against allow-lists of addresses or networks (trusted proxies, the FastAGI
server's peers), and whether a listening host stays on this machine."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def networks(entries: Sequence[str]) -> tuple[Network, ...]:
    """Addresses or networks as networks; ValueError names a bad entry."""
    found = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an address or network: {entry!r}") from None
    return tuple(found)


def checked_networks(entries: list[str]) -> list[str]:
    """The entries unchanged when each is an address or network (a settings validator)."""
    networks(entries)
    return entries


def within(address: str, allowed: Sequence[Network]) -> bool:
    """Whether `address` is in one of the networks; an IPv4 address mapped into IPv6
    (`::ffff:10.0.0.1`, a dual-stack socket's peer) counts as itself; not an address: False."""
    ip = _address(address)
    return ip is not None and any(ip in net for net in allowed)


@functools.lru_cache(maxsize=4096)
def _address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address parsed once per peer (every request asks; issue 17), an IPv4 address
    mapped into IPv6 as itself; None when it is not one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_loopback(host: str) -> bool:
    """Whether a listening host is reachable from this machine only."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: it may resolve to anything
