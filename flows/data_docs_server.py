"""Serving the nightly GX Data Docs (static HTML) beside the review app.

A plain static file server in a daemon thread of `tousu dashboard`. It serves the folder by
path on each request, so the site the nightly swaps in by rename is served at once.
"""

from __future__ import annotations

import errno
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # one line per request is noise here
        pass


def serve_data_docs(folder: Path, address: str, port: int) -> tuple[str, ThreadingHTTPServer]:
    """Start serving folder on address:port in the background; return the site's URL and the
    server (its shutdown() stops it; `tousu dashboard` leaves it to the process's end). When
    another program holds that port, a free one is taken instead: the app links to the URL
    returned, so the review app need not fail to start for its Data Docs' port."""
    folder.mkdir(parents=True, exist_ok=True)
    handler = partial(_QuietHandler, directory=str(folder))
    try:
        server = ThreadingHTTPServer((address, port), handler)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        server = ThreadingHTTPServer((address, 0), handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, name="data-docs", daemon=True).start()
    host = "localhost" if address in ("0.0.0.0", "::", "") else address
    return f"http://{host}:{port}/index.html", server
