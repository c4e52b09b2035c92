"""Download one catalog model with the integration's own downloader (resumable, verified).

    python -m scripts.fetch_model qwen2.5-coder-0.5b-instruct-q4_k_m
    python -m scripts.fetch_model smollm2-135m-instruct-q4_1 --dest /tmp/models --url http://127.0.0.1:8000/m.gguf

The file lands in --dest (default .cache/models) under the catalog's file name. An interrupted run
leaves <file>.part, which the next run resumes. --url overrides the catalog's URL: a mirror, a
local server, or a model the catalog ships without one. Exits 1 with the reason on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from custom_components.local_llm_assist.model_download import DownloadError, DownloadResult, download_model
from toolkit.models import CACHE_DIR, CATALOG_PATH


@dataclass(frozen=True)
class CatalogModel:
    model_id: str
    file_name: str
    url: str | None
    size: int | None
    sha256: str | None


def load_catalog() -> dict[str, CatalogModel]:
    entries: list[dict[str, Any]] = json.loads(CATALOG_PATH.read_text())["models"]
    return {
        entry["id"]: CatalogModel(entry["id"], entry["file"], entry.get("url"), entry.get("size"), entry.get("sha256"))
        for entry in entries
    }


class ProgressLine:
    """One line on the terminal rewritten in place: downloads take minutes, a log line per update would scroll."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, done: int, total: int | None) -> None:
        rate = done / max(time.monotonic() - self.started, 1e-3) / 1e6
        share = f" {100 * done / total:5.1f}% of {total / 1e6:.1f} MB" if total else ""
        print(f"\r{done / 1e6:9.1f} MB{share}  {rate:6.1f} MB/s", end="", file=sys.stderr, flush=True)


async def fetch(model: CatalogModel, url: str, dest: Path) -> DownloadResult:
    # No total timeout: only a silent connection (the downloader's read timeout) is an error.
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as session:
        try:
            return await download_model(
                session,
                url,
                dest / model.file_name,
                expected_sha256=model.sha256,
                expected_size=model.size,
                on_progress=ProgressLine(),
            )
        finally:
            print(file=sys.stderr)  # end the progress line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_id", help="an id from models/catalog.json")
    parser.add_argument("--dest", type=Path, default=CACHE_DIR, help="folder for the file (default: .cache/models)")
    parser.add_argument("--url", help="download from here instead of the catalog's URL")
    args = parser.parse_args(argv)
    catalog = load_catalog()
    model = catalog.get(args.model_id)
    if model is None:
        parser.error(f"unknown model {args.model_id!r}; the catalog has: {', '.join(sorted(catalog))}")
    if model.file_name.endswith("/"):  # e.g. the faster-whisper models: a repository of several files
        print(f"{model.model_id}: a folder of files, not one file; fetch_model downloads single files", file=sys.stderr)
        return 1
    url = args.url or model.url
    if not url:
        print(f"{model.model_id}: the catalog has no URL for it; give one with --url", file=sys.stderr)
        return 1
    try:
        result = asyncio.run(fetch(model, url, args.dest))
    except DownloadError as err:
        print(f"{model.model_id}: {err.code}: {err}", file=sys.stderr)
        return 1
    how = (
        "already there" if result.reused else f"resumed from byte {result.resumed_from}" if result.resumed_from else ""
    )
    print(f"{result.path}{f'  ({how})' if how else ''}")
    print(f"sha256 {result.sha256}  {result.size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
