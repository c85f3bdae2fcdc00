"""Serving the nightly GX Data Docs (static HTML) beside the review app.

A plain static file server in a daemon thread of `tousu dashboard`. It serves the folder by
path on each request, so the site the nightly swaps in by rename is served at once.
"""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # one line per request is noise here
        pass


def serve_data_docs(folder: Path, address: str, port: int) -> str:
    """Start serving folder on address:port in the background; return the site's URL."""
    folder.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer((address, port), partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, name="data-docs", daemon=True).start()
    host = "localhost" if address in ("0.0.0.0", "::", "") else address
    return f"http://{host}:{port}/index.html"
