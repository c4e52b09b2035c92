"""Home Assistant's REST API from a browser test, through the tab's own request client (Playwright, this thread)."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page

from .home_assistant import RunningHome
from .screen import STEP_LIMIT_MS


def call_api(page: Page, home: RunningHome, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    headers = {"Authorization": f"Bearer {home.token}"}
    response = page.request.fetch(f"{home.instance.base_url}{path}", method=method, headers=headers, data=body)
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json()


def wait_until_loaded(page: Page, home: RunningHome, domain: str = "local_llm_assist") -> None:
    """Until the domain's entry has finished (re)loading, e.g. after saved settings reload it.

    The next test talks to the assistant: during a reload it has none (the model is loading).
    """
    deadline = time.monotonic() + STEP_LIMIT_MS / 1000
    while True:
        entries = call_api(page, home, "GET", f"/api/config/config_entries/entry?domain={domain}")
        states = [entry["state"] for entry in entries]
        if states == ["loaded"]:
            return
        assert time.monotonic() < deadline, f"the {domain} entry did not finish loading: {states}"
        page.wait_for_timeout(500)
