"""What a person sees: the visible text of a dialog, its field labels, and screenshots of it.

A field without a label, a translation key or error code shown raw, or a step that does not
finish in time fails the test that looks at it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # conftest.py imports this module even where playwright is missing
    from playwright.sync_api import Locator, Page

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / ".cache" / "ui-screenshots"
VISIBLE_TEXT_JS = (HERE / "visible_text.js").read_text()
FIELD_LABELS_JS = (HERE / "field_labels.js").read_text()
FLOW_DIALOG = "dialog-data-entry-flow"
ASSIST_DIALOG = "ha-voice-command-dialog"
# A snake_case word on its own (not part of a path, file name or URL): what the frontend shows for a
# field, menu option, error or abort reason that has no translation.
RAW_KEY = re.compile(r"(?<![\w./:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-]|\.\w)")
TRANSLATION_KEY = re.compile(r"\b(?:component|ui)\.[a-z_]+\.")
# Snake_case words the product really says: the trace folder named in the tracing page.
LEGITIMATE = {"local_llm_assist_traces"}
STEP_LIMIT_MS = 120_000  # a step that takes longer than this never finishes, as far as a person can tell


def visible_text(dialog: Locator) -> str:
    """The text a person can see in the element, shadow roots included, one piece a line."""
    return str(dialog.evaluate(VISIBLE_TEXT_JS))


def raw_keys(text: str) -> list[str]:
    return [word for word in RAW_KEY.findall(text) if word not in LEGITIMATE]


def assert_readable(page: Page, dialog: Locator) -> str:
    """Every field has a translated label and nothing untranslated is on screen; returns the visible text."""
    unlabelled = [
        field["name"] for field in page.evaluate(FIELD_LABELS_JS) if field["label"] in (None, "", field["name"])
    ]
    assert not unlabelled, f"fields without a label: {unlabelled}"
    text = visible_text(dialog)
    assert not TRANSLATION_KEY.search(text), f"a translation key is on screen:\n{text}"
    assert not raw_keys(text), f"untranslated keys on screen: {raw_keys(text)}\n{text}"
    return text


def flow_dialog(page: Page) -> Locator:
    return page.locator(FLOW_DIALOG)


def shoot(target: Locator | Page, name: str) -> Path:
    """Save a screenshot under .cache/ui-screenshots (scripts/screenshots copies the README's ones)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    target.screenshot(path=path)
    return path


def dialog_surface(dialog: Locator) -> Locator:
    """The dialog's card itself, for a screenshot without the page around it."""
    return dialog.locator(".mdc-dialog__surface")
