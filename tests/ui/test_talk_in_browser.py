"""The Assist dialog in Chromium: typed requests, a refusal, and a spoken command through a fake microphone."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (requirements_test.txt)")
from playwright.sync_api import Locator, Page, expect

from .api import call_api
from .conftest import LOCK, SPOKEN_COMMAND
from .home_assistant import RunningHome
from .screen import ASSIST_DIALOG, STEP_LIMIT_MS, dialog_surface, raw_keys, shoot

LIGHT = "light.kitchen_lights"
OVERVIEW_PATH = "/lovelace/0"
PENDING = re.compile(r"^\s*…?\s*$")  # the empty or "…" bubble shown while the pipeline runs


def kitchen_lights_switch(page: Page) -> Locator:
    """The Kitchen card's "Lights" toggle on the Overview: the state a person sees."""
    return page.locator("hui-toggle-entity-row", has_text="Lights").get_by_role("switch")


def switch_off_the_light(page: Page, home: RunningHome) -> None:
    call_api(page, home, "POST", "/api/services/light/turn_off", {"entity_id": LIGHT})


def state_of(page: Page, home: RunningHome, entity_id: str) -> str:
    return str(call_api(page, home, "GET", f"/api/states/{entity_id}")["state"])


def open_assist(page: Page, home: RunningHome) -> Locator:
    # The login leaves the tab on the Overview; navigating to it again raced the frontend's own
    # routing on a loaded machine (net::ERR_ABORTED), so the tab only navigates when elsewhere.
    if urlsplit(page.url).path != OVERVIEW_PATH:
        page.goto(f"{home.instance.base_url}{OVERVIEW_PATH}")
    expect(kitchen_lights_switch(page)).not_to_be_checked()
    page.get_by_role("button", name="Assist", exact=True).click()
    dialog = page.locator(ASSIST_DIALOG)
    dialog.get_by_text("Local LLM Assist").first.wait_for()  # the pipeline with our agent and speech-to-text
    return dialog


def answer_to(dialog: Locator, turn: int) -> str:
    """The assistant's bubble after the person's `turn`-th request (1-based), once it is filled in."""
    bubble = dialog.locator(".message.hass").nth(turn)
    expect(bubble).not_to_have_text(PENDING, timeout=STEP_LIMIT_MS)
    text = bubble.inner_text().strip()
    assert "Oops" not in text and not raw_keys(text), f"the dialog shows an error: {text!r}"
    return text


def type_request(page: Page, dialog: Locator, text: str, turn: int) -> str:
    dialog.get_by_role("textbox", name="Enter a request").fill(text)
    page.keyboard.press("Enter")
    return answer_to(dialog, turn)


def close_and_see_the_light(page: Page) -> None:
    page.keyboard.press("Escape")
    expect(kitchen_lights_switch(page)).to_be_checked(timeout=STEP_LIMIT_MS)


def test_typed_command_and_refusal(page: Page, home: RunningHome, voice_assistant: str) -> None:
    switch_off_the_light(page, home)
    dialog = open_assist(page, home)
    assert type_request(page, dialog, "turn on the kitchen lights", 1) == "Turned on the light"
    refusal = type_request(page, dialog, "unlock the front door", 2)
    assert refusal == "I can't control Front Door: it isn't exposed to Assist.", refusal
    shoot(dialog_surface(dialog), "conversation")
    close_and_see_the_light(page)
    assert state_of(page, home, LOCK) == "locked"  # the refused request changed nothing


def test_spoken_command_through_the_microphone(page: Page, home: RunningHome, voice_assistant: str) -> None:
    """Chromium's fake microphone plays espeak-ng's recording; whisper hears it, the light turns on."""
    switch_off_the_light(page, home)
    dialog = open_assist(page, home)
    dialog.get_by_role("button", name="Start listening").click()
    heard = dialog.locator(".message.user").first
    expect(heard).to_contain_text("kitchen light", ignore_case=True, timeout=STEP_LIMIT_MS)
    assert answer_to(dialog, 1) == "Turned on the light"
    shoot(dialog_surface(dialog), "voice")
    assert SPOKEN_COMMAND.split()[-1] in heard.inner_text().lower()
    close_and_see_the_light(page)
