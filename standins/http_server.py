"""A WSGI app served by werkzeug on a background thread, with start/stop and a ``running()`` context."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Self

from werkzeug.serving import make_server

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class BackgroundServer:
    def __init__(
        self,
        app: WsgiApp,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "http",
        ssl_context: ssl.SSLContext | None = None,
    ):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise here
        self._server = make_server(host, port, app, threaded=True, ssl_context=ssl_context)
        self._scheme = "https" if ssl_context else "http"
        self._name = name
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"{self._scheme}://{self._server.host}:{self._server.server_port}"

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.05)

    def start(self) -> Self:
        self.spawn(self.serve_forever, self._name)
        return self

    def spawn(self, target: Callable[[], None], name: str) -> None:
        """Run ``target`` on a daemon thread that ``stop`` waits for."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        if self._threads:  # shutdown() waits for serve_forever, which never ran if start() wasn't called
            self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    @contextmanager
    def running(self) -> Iterator[Self]:
        self.start()
        try:
            yield self
        finally:
            self.stop()
