"""Fetch a feed document over HTTP, bounded: only http and https (also after a redirect, at most
``MAX_REDIRECTS``), a timeout for the whole fetch, the body streamed and cut off past its limit
(whatever ``Content-Length`` claims). Failures are ``Unavailable`` with a stable code, which the
feed keeps as its state (``feed.http_status``, ``feed.timeout``, ``feed.too_large``, ...)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import anyio
import httpx

from signage_server import __version__
from signage_server.core.errors import Invalid, Unavailable

MAX_REDIRECTS = 3
SCHEMES = frozenset({"http", "https"})
ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"


@dataclass(frozen=True)
class FetchLimits:
    timeout_s: float = 15.0
    max_bytes: int = 2 * 1024 * 1024
    # Editors type the address: by default it may not lead the server to its own network (loopback,
    # private, link-local such as a cloud's metadata service). An intranet feed needs this on.
    allow_private: bool = False


def check_url(url: str) -> str:
    """The URL if it is an absolute http(s) address with a host; ``Invalid`` (``feed.bad_url``)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise Invalid("feed.bad_url", "url: give an http:// or https:// address of the feed")
    return url


async def fetch_document(
    url: str, limits: FetchLimits, transport: httpx.AsyncBaseTransport | None = None
) -> bytes:
    """The body at ``url``, following at most ``MAX_REDIRECTS`` redirects to http(s) only."""
    headers = {"User-Agent": f"signage-feed/{__version__}", "Accept": ACCEPT}
    try:
        with anyio.fail_after(limits.timeout_s):
            async with httpx.AsyncClient(transport=transport, timeout=limits.timeout_s,
                                         follow_redirects=False, headers=headers) as client:
                for _ in range(MAX_REDIRECTS + 1):
                    if not limits.allow_private:
                        await _check_public(url)
                    body, location = await _get(client, check_url(url), limits.max_bytes)
                    if location is None:
                        return body
                    url = _redirected(url, location)
    except TimeoutError as exc:
        raise Unavailable("feed.timeout", f"no answer within {limits.timeout_s:g} s",
                          seconds=limits.timeout_s) from exc
    except httpx.TimeoutException as exc:
        raise Unavailable("feed.timeout", f"no answer within {limits.timeout_s:g} s",
                          seconds=limits.timeout_s) from exc
    except httpx.HTTPError as exc:
        raise Unavailable("feed.unreachable", f"cannot reach the feed: {type(exc).__name__}",
                          reason=type(exc).__name__) from exc
    raise Unavailable("feed.too_many_redirects", f"more than {MAX_REDIRECTS} redirects",
                      limit=MAX_REDIRECTS)


async def _check_public(url: str) -> None:
    """Refuse an address whose host resolves to a non-public address (checked before each request,
    redirects included; a DNS answer that changes between this check and the connection is not
    caught: deployments that need that run the server behind an egress proxy)."""
    host = urlsplit(url).hostname or ""
    try:
        found = await anyio.getaddrinfo(host, None)
    except OSError as exc:
        raise Unavailable("feed.unreachable", f"cannot resolve {host}", reason="dns") from exc
    for *_rest, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not address.is_global:
            raise Unavailable("feed.private_address",
                              "the feed's address leads to the server's own network, which is not allowed")


def _redirected(url: str, location: str) -> str:
    target = urljoin(url, location)
    if urlsplit(target).scheme.lower() not in SCHEMES:
        raise Unavailable("feed.redirect_refused", "the feed redirects to an address that is not http(s)")
    return target


async def _get(client: httpx.AsyncClient, url: str, max_bytes: int) -> tuple[bytes, str | None]:
    """(body, None), or (b"", location) for a redirect."""
    async with client.stream("GET", url) as response:
        if response.is_redirect:
            return b"", response.headers.get("location", "")
        if response.status_code != 200:
            raise Unavailable("feed.http_status", f"the feed answered HTTP {response.status_code}",
                              status=response.status_code)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(max_bytes)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(max_bytes)
            chunks.append(chunk)
        return b"".join(chunks), None


def _too_large(max_bytes: int) -> Unavailable:
    return Unavailable("feed.too_large", f"the feed is larger than {max_bytes} bytes", limit=max_bytes)
