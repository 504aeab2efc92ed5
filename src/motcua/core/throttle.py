"""The client's address, and a fixed-window rate limit per client on Django's cache, for every public page
that a script could hammer (dossier tracking, password resets, registration, the feedback form and its tracking
page) and for the login lockout (django-axes reads ``client_address`` through ``AXES_CLIENT_IP_CALLABLE``).

**The client's address** is the peer's address (``REMOTE_ADDR``), unless the peer is one of the reverse proxies
named in ``MOTCUA_TRUSTED_PROXIES`` (addresses or networks, e.g. ``127.0.0.1,10.0.0.0/8``; empty by default). Only
then is ``X-Forwarded-For`` read, from its right end, skipping the trusted proxies: the first address that is not
a trusted proxy is the client. Entries to its left were written by the client itself and are ignored, and a
client that talks to the app directly cannot choose its address by sending the header.

Each client may make ``limit`` attempts per ``window`` seconds in a scope. A fixed window is enough: it bounds
guessing and flooding to a known rate and costs one cache increment an attempt. With several app servers the
cache must be shared: ``MOTCUA_CACHE_URL=redis://...`` (settings.CACHES).
"""

from __future__ import annotations

import ipaddress
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``MOTCUA_TRUSTED_PROXIES`` as networks (a bare address is a network of one)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"MOTCUA_TRUSTED_PROXIES: {entry!r} is not an IP address or network.") from exc
    return tuple(networks)


def _address(raw: str) -> Address | None:
    value = raw.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5000"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address as text (None when the server gave none), trusting ``X-Forwarded-For`` only
    from the proxies of ``MOTCUA_TRUSTED_PROXIES``. One answer for the rate limits and the login lockout."""
    peer_raw = str(request.META.get("REMOTE_ADDR") or "")
    networks = trusted_networks(tuple(getattr(settings, "MOTCUA_TRUSTED_PROXIES", ()) or ()))
    peer = _address(peer_raw)
    if peer is None:
        return peer_raw or None
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = [hop for hop in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage in the chain: nothing to its left can be believed
            return str(peer)
        if not _trusted(address, networks):
            return str(address)
        peer = address
    return str(peer)  # every hop is a trusted proxy: the leftmost one is the best we know


def client_key(request: HttpRequest) -> str:
    """The client's address for the rate limits ("unknown" when the server gave none)."""
    return client_address(request) or "unknown"


def allow(request: HttpRequest, scope: str, *, limit: int, window: int, namespace: str = "core",
          using: BaseCache | None = None) -> bool:
    """Count one attempt of this client in ``scope``; False once the window's allowance is used up.
    ``using``: another cache than the default one (tests: two connections standing for two app servers)."""
    return allow_ident(f"{namespace}:{scope}", client_key(request), limit=limit, window=window, using=using)


def allow_ident(scope: str, ident: str, *, limit: int, window: int, using: BaseCache | None = None) -> bool:
    """Count one attempt of ``ident`` (a client address, an API key) in ``scope``; False once ``limit``
    attempts were made in the current window of ``window`` seconds."""
    store = using if using is not None else cache
    size = max(1, int(window))
    slot = int(time.time()) // size
    key = f"motcua:{scope}:{ident}:{slot}"
    store.add(key, 0, timeout=size + 5)
    try:
        count = store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=size + 5)
        count = 1
    return count <= int(limit)
