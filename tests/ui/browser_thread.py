"""The one thread in which the browser tests drive Chromium.

Playwright's synchronous API runs an event loop of its own inside a greenlet and leaves it marked as
*running* in the thread that uses it, between calls too. Home Assistant's test plugin runs (and closes)
a loop of its own in pytest's thread after every test (verify_cleanup), which fails while another loop
is marked running there ("Cannot close a running event loop"). So Playwright lives in a thread of its
own: every Playwright object is made, used and closed there, and pytest's thread stays clean for the
plugin. conftest.py runs each browser test's body in this thread (pytest_pyfunc_call).

The plugin also fails a test that leaves a new thread behind. Both threads here (this one, and the
one Playwright's loop writes files from, e.g. screenshots) are made before the first test and kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from playwright.sync_api import Playwright, sync_playwright

T = TypeVar("T")


class BrowserThread:
    """A long-lived thread with Playwright started in it; `run` calls a function there, returns or raises its result."""

    def __init__(self) -> None:
        # One worker each, made now and kept: Playwright objects must stay in the thread that made them.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser")
        self._file_io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser-file-io")
        self.playwright = self.run(self._start_playwright)

    def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self._executor.submit(function, *args, **kwargs).result()

    def stop(self) -> None:
        self.run(self.playwright.stop)
        self._executor.shutdown()
        self._file_io.shutdown()

    def _start_playwright(self) -> Playwright:
        playwright = sync_playwright().start()
        self._file_io.submit(lambda: None).result()  # its one worker made now, not during a test
        # Playwright's loop (marked running in this thread) comes from Home Assistant's loop policy, which the
        # test plugin installs; such a loop refuses set_default_executor, meant to stop integrations replacing
        # Home Assistant's executor. This loop is Playwright's own: the base class's method sets it.
        asyncio.BaseEventLoop.set_default_executor(asyncio.get_running_loop(), self._file_io)  # type: ignore[arg-type]
        return playwright
