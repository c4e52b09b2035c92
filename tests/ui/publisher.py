"""A model publisher on 127.0.0.1 for the browser tests: serves files by name, at a limited rate.

The rate keeps a 100 MB model downloading for a few seconds, long enough for a person (and the
test) to see the progress dialog; the bytes are the real model file.

    python -m tests.ui.publisher --port 8765 --rate-mb 16 .cache/models/SmolLM2-135M-Instruct.Q4_1.gguf
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHUNK = 256 * 1024


class Publisher(BaseHTTPRequestHandler):
    def __init__(self, *args: object, files: dict[str, Path], rate: float) -> None:
        self.files = files
        self.rate = rate  # bytes per second
        super().__init__(*args)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        path = self.files.get(self.path.lstrip("/"))
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        size = path.stat().st_size
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                self.wfile.write(chunk)
                time.sleep(len(chunk) / self.rate)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reports what matters."""


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate-mb", type=float, default=16, help="megabytes per second per download")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    handler = partial(Publisher, files={path.name: path for path in args.files}, rate=args.rate_mb * 1e6)
    with ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
