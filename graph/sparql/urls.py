"""Checks of the endpoint URLs and timeouts the user gives, before any request is made.

urllib, http.client and SPARQLWrapper each fail differently on a bad URL (ValueError,
InvalidURL, a connection attempt to nowhere …); checking up front gives one clear message.
"""

from __future__ import annotations

import math
import urllib.parse

from welfare_kg.errors import InputError

__all__ = ["check_endpoint", "check_timeout"]


def check_endpoint(url: str, what: str = "SPARQL endpoint") -> str:
    """`url` if it is a usable http(s) URL with a host, else InputError.

    >>> check_endpoint("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/query'
    """
    def bad(why: str = "") -> InputError:
        return InputError(
            f"the {what} must be an http(s) URL such as http://host:port/path, got {url!r}"
            + (f" ({why})" if why else "")
        )

    if not isinstance(url, str) or not url:
        raise bad()
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise bad("it contains a space or a control character")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        raise bad(str(exc)) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise bad()
    if not parts.hostname:
        raise bad("it names no host")
    return url


def check_timeout(seconds: float, what: str = "the timeout") -> float:
    """`seconds` if it is a finite number above zero, else InputError.

    >>> check_timeout(2.5)
    2.5
    """
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number of seconds, got {seconds!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{what} must be more than 0 seconds, got {seconds!r}")
    return value
