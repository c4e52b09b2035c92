"""Setting the integration up in Home Assistant's web UI, as a person does, in Chromium.

Add integration → Local LLM Assist → this machine → the catalog (sizes, RAM and licences readable)
→ a download from the local publisher (the progress dialog shows while the file grows) → the
entry; then Reconfigure to another model file, and the three pages of the options menu.
"""

from __future__ import annotations

import re
import time

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (requirements_test.txt)")
from playwright.sync_api import Page

from toolkit.models import DEFAULT_LLM, FAST_WHISPER, SMOKE_LLM

from .api import wait_until_loaded
from .home_assistant import RunningHome
from .screen import assert_readable, dialog_surface, flow_dialog, shoot

pytestmark = pytest.mark.usefixtures("socket_enabled")
DOWNLOADED = "SmolLM2-135M-Instruct.Q4_1.gguf"
CATALOG_LINE = re.compile(r"^.+: \d+ MB( \(approx\.\))?, ~[\d.]+ GB RAM, .+\. ")  # name: size, RAM, licence.


def open_integration_page(page: Page, home: RunningHome) -> None:
    page.goto(f"{home.instance.base_url}/config/integrations/integration/local_llm_assist")
    page.get_by_role("button", name="Configure").wait_for()


def close_dialog(page: Page) -> None:
    flow_dialog(page).get_by_role("button", name=re.compile("^(Close|Finish)$")).last.click()
    flow_dialog(page).locator(".mdc-dialog__surface").wait_for(state="hidden")


def part_sizes_while(page: Page, home: RunningHome, text: str) -> list[int]:
    """Sizes of the download's .part file, sampled while the dialog shows `text`."""
    part = home.instance.config_dir / "models" / f"{DOWNLOADED}.part"
    sizes = []
    while flow_dialog(page).get_by_text(text).count():
        if part.exists():
            sizes.append(part.stat().st_size)
        time.sleep(0.5)
    return sizes


def test_catalog_download_creates_the_entry(page: Page, home: RunningHome) -> None:
    page.goto(f"{home.instance.base_url}/config/integrations/dashboard")
    page.get_by_role("button", name="Add integration").click()
    page.get_by_role("textbox", name="Search for a brand name").fill("Local LLM")
    page.get_by_text("Local LLM Assist", exact=True).click()
    dialog = flow_dialog(page)
    dialog.get_by_text("Where does the language model run?").wait_for()
    assert_readable(page, dialog)
    dialog.get_by_text("This machine", exact=True).click()
    dialog.get_by_text("Choose a model").wait_for()
    assert_readable(page, dialog)
    dialog.get_by_text("From the catalog (download)", exact=True).click()

    smollm = dialog.get_by_role("radio", name=re.compile("SmolLM2-135M"))
    smollm.wait_for()
    text = assert_readable(page, dialog)
    # Every catalog model is listed with its size, memory and licence, each line whole on screen.
    for line in (
        "Qwen2.5-Coder-0.5B-Instruct Q4_K_M: 491 MB, ~0.6 GB RAM, Apache-2.0.",
        "SmolLM2-135M-Instruct Q4_1: 98 MB",
    ):
        assert line in text
    listed = [line for line in text.splitlines() if CATALOG_LINE.match(line)]
    assert len(listed) == 8, text
    shoot(dialog_surface(dialog), "catalog")
    smollm.check()
    dialog.get_by_role("button", name="Submit").click()

    downloading = f"Downloading {DOWNLOADED}"
    dialog.get_by_text(downloading).wait_for()
    assert_readable(page, dialog)
    shoot(dialog_surface(dialog), "download")
    sizes = part_sizes_while(page, home, downloading)
    assert len(set(sizes)) >= 3 and sizes == sorted(sizes), f"the download did not visibly progress: {sizes}"

    dialog.get_by_text("Created configuration for Local LLM Assist.").wait_for()
    assert_readable(page, dialog)
    close_dialog(page)
    assert (home.instance.config_dir / "models" / DOWNLOADED).stat().st_size == SMOKE_LLM.stat().st_size


def test_reconfigure_to_another_model(page: Page, home: RunningHome, assistant: str) -> None:
    open_integration_page(page, home)
    page.get_by_role("button", name="Menu").first.click()
    page.get_by_text("Reconfigure", exact=True).click()
    dialog = flow_dialog(page)
    dialog.get_by_text("Change the model file").wait_for()
    assert_readable(page, dialog)
    model_field = dialog.get_by_role("textbox", name="Model file (GGUF)")
    model_field.fill(str(home.instance.config_dir / "models" / "missing.gguf"))
    dialog.get_by_role("button", name="Submit").click()
    dialog.get_by_text("No file at this path.").wait_for()  # a translated error, not its code
    assert_readable(page, dialog)
    model_field.fill(str(DEFAULT_LLM))
    dialog.get_by_role("button", name="Submit").click()
    dialog.get_by_text("The model was changed.").wait_for()
    assert_readable(page, dialog)
    close_dialog(page)
    wait_until_loaded(page, home)  # with the new model


def open_options_page(page: Page, home: RunningHome, menu_option: str, title: str) -> str:
    open_integration_page(page, home)
    page.get_by_role("button", name="Configure").click()
    dialog = flow_dialog(page)
    dialog.get_by_text("What would you like to change?").wait_for()
    assert_readable(page, dialog)
    dialog.get_by_text(menu_option, exact=True).click()
    dialog.get_by_text(title, exact=True).first.wait_for()
    return assert_readable(page, dialog)


def test_options_pages_are_labelled(page: Page, home: RunningHome, assistant: str) -> None:
    text = open_options_page(page, home, "Assistant (model answers and tools)", "Assistant settings")
    for label in ("Tools the assistant may use", "Skills", "News feeds (RSS or Atom links)", "Time and date"):
        assert label in text
    shoot(dialog_surface(flow_dialog(page)), "options")
    close_dialog(page)

    text = open_options_page(page, home, "Tracing to Weights & Biases", "Tracing to Weights & Biases")
    assert "Include what was said" in text
    close_dialog(page)

    open_options_page(page, home, "Speech-to-text (whisper)", "Speech-to-text")
    dialog = flow_dialog(page)
    dialog.get_by_role("textbox", name="Whisper model folder").fill(str(FAST_WHISPER))
    dialog.get_by_role("button", name="Submit").click()
    dialog.get_by_text("Spoken language").wait_for()  # the folder was loaded to learn its languages
    lines = assert_readable(page, dialog).splitlines()
    assert "English" in lines and "en" not in lines, lines  # the language's name, not its code
    dialog.get_by_role("button", name="Submit").click()
    dialog.get_by_text("Options successfully saved.").wait_for()
    close_dialog(page)
    wait_until_loaded(page, home)  # with speech-to-text
