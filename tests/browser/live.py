"""A real HTTP server for the app, in a background thread, for browser and concurrency tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import make_server


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask


@contextmanager
def serve(app: Flask) -> Iterator[LiveServer]:
    """Serve app on 127.0.0.1 at a free port until the block ends.

    BASE_URL is pointed at the server so links in emails lead back to it.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=app)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
