"""The HTTP session the worker posts with, pinned against DNS rebinding.

A check of the URL followed by `requests` resolving the name again to connect leaves a window: a name that
answered with a public address for the check may answer with 10.0.0.1 for the connection. Here the name is
resolved once, when a connection is opened, every address is checked (`addresses.checked_addresses`), and
the socket is connected to a checked address, the way the `advocate` library does it. The URL is left as it
is, so the Host header, TLS SNI and the certificate's name check are all the hostname's, as urllib3 does
them. A refused address raises `addresses.RefusedURL` before anything is sent.
"""

import os
import socket

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection

from crm.webhooks import addresses


class _PinnedConnection:
    def _new_conn(self) -> socket.socket:
        error: OSError | None = None
        for address in addresses.checked_addresses(self.host, self.port):
            try:
                # an address, not a name: urllib3's getaddrinfo on it makes no DNS query
                return connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as failure:
                error = failure
        if isinstance(error, TimeoutError):
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            ) from error
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error


class PinnedHTTPConnection(_PinnedConnection, HTTPConnection):
    pass


class PinnedHTTPSConnection(_PinnedConnection, HTTPSConnection):
    pass


class PinnedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PinnedHTTPConnection


class PinnedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PinnedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": PinnedHTTPConnectionPool, "https": PinnedHTTPSConnectionPool}


def pinned_session() -> requests.Session:
    """A session whose every connection goes to a checked address. No proxy from the environment: through a
    proxy the proxy would resolve the name, out of the check's reach. The CA bundle of the environment is kept
    (REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE, as requests reads them), for receivers behind a company's own CA."""
    session = requests.Session()
    session.trust_env = False
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    adapter = PinnedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
