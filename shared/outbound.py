"""Outbound HTTP clients (对外请求) share one TLS context per process.

httpx makes a new ``ssl.SSLContext`` for every client it is not given one, reading the whole CA bundle again:
about 40 ms of CPU per client here, paid per gateway upstream, per delivery sender and per report that reads
another service. One context, made on first use as httpx makes it (certifi's bundle, or ``SSL_CERT_FILE`` /
``SSL_CERT_DIR``), serves them all: a context is not changed once made, and clients may share it.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's context for verifying servers' certificates: pass it as ``verify=`` to every httpx client."""
    return httpx.create_ssl_context()
