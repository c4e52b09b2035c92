"""News feeds for skill cases: files from evals/feeds served on 127.0.0.1 while a home's cases run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from ..local_web import serving

FEEDS_DIR = Path(__file__).resolve().parents[2] / "evals" / "feeds"


@asynccontextmanager
async def serving_feeds(names: Sequence[str]) -> AsyncIterator[list[str]]:
    """The URLs of the named feed files, served by a local web server until the block ends."""
    if not names:
        yield []
        return
    app = web.Application()
    app.router.add_static("/", FEEDS_DIR)
    async with serving(app) as base_url:
        yield [f"{base_url}/{name}" for name in names]
