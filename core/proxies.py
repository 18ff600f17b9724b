"""The client's address behind reverse proxies that the operator named, and only behind them.

gunicorn and runserver set REMOTE_ADDR to the peer that opened the connection: behind nginx or a
load balancer that is the proxy, so every throttle would count all clients as one. The proxy adds
the peer it saw to X-Forwarded-For; anyone can send that header too, so it is believed only from
the addresses in settings.TRUSTED_PROXIES, read from the right (the hops our proxies appended)
until the first address that is not one of them: that is the client.
"""

import ipaddress
from functools import cache

from django.conf import settings


@cache
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _ip(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(ip) -> bool:
    return ip is not None and any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def forwarded_client(*, remote_addr: str, forwarded_for: str) -> str:
    """The first untrusted hop from the right of X-Forwarded-For, when the peer is a trusted proxy."""
    if not _trusted(_ip(remote_addr)):
        return remote_addr
    client = remote_addr
    for hop in reversed(forwarded_for.split(",")):
        ip = _ip(hop)
        if ip is None:
            break  # our proxies write addresses; anything else came from the client's side
        client = str(ip)
        if not _trusted(ip):
            break
    return client


class TrustedProxyMiddleware:
    """Rewrites REMOTE_ADDR to the client's address, first in MIDDLEWARE, so every reader of it
    (sign-in throttles, logs) sees the client and not the proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded_for and settings.TRUSTED_PROXIES:
            request.META["REMOTE_ADDR"] = forwarded_client(
                remote_addr=request.META.get("REMOTE_ADDR", ""), forwarded_for=forwarded_for)
        return self.get_response(request)
