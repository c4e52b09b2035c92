"""Every message the integration can show has an English text."""

import json
import re
from pathlib import Path

import voluptuous as vol
from homeassistant.core import HomeAssistant

from custom_components.local_llm_assist.config_flow import TRACING_SCHEMA, _options_schema
from custom_components.local_llm_assist.engine import errors
from custom_components.local_llm_assist.engine.crash import CrashCause
from custom_components.local_llm_assist.model_check import crash_error
from custom_components.local_llm_assist.speech_options import SPEECH_SCHEMA

INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / "local_llm_assist"


def test_strings_and_english_translation_are_identical() -> None:
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    assert strings == english


def test_every_error_code_and_message_key_has_a_text() -> None:
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    source = "\n".join(path.read_text() for path in INTEGRATION.rglob("*.py"))
    used = set(re.findall(r'_fail\("([a-z_]+)"', source)) | set(re.findall(r'async_sentence\([^)]*"([a-z_]+)"', source))
    used |= set(re.findall(r'ModelLoadError\("([a-z_]+)"', source))
    used |= {cls.code for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.EngineError)}
    assert len(used) >= 10
    assert used - set(strings["exceptions"]) == set()
    config_errors = set(re.findall(r'return "(model_[a-z_]+)"', source)) | {"model_not_found", "model_not_gguf"}
    assert config_errors - set(strings["config"]["error"]) == set()


def test_every_download_failure_has_an_abort_text() -> None:
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    source = (INTEGRATION / "model_download.py").read_text()
    codes = set(re.findall(r'"(download_[a-z_]+)"', source))
    assert len(codes) >= 5
    assert codes - set(strings["config"]["abort"]) == set()


def test_every_crash_cause_and_model_check_failure_has_a_text() -> None:
    """The model check's errors reach a form, an abort (after a download), a set-up error and a repair issue."""
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    keys = {crash_error(cause) for cause in CrashCause}
    keys |= {"model_probe_timeout", "model_probe_failed", "llama_cpp_install_failed"}
    for section in (strings["config"]["error"], strings["config"]["abort"], strings["exceptions"]):
        assert keys - set(section) == set()
    issues = {f"worker_crashing_{cause}" for cause in CrashCause}
    assert issues - set(strings["issues"]) == set()
    assert "faster_whisper_install_failed" in strings["options"]["error"]


def _fields(schema: vol.Schema) -> set[str]:
    return {str(key) for key in schema.schema}


async def test_every_options_field_has_a_label(hass: HomeAssistant) -> None:
    """Each options form labels its own fields (a label under another step is not shown)."""
    steps = json.loads((INTEGRATION / "strings.json").read_text())["options"]["step"]
    forms = {"agent": _options_schema(hass), "speech": SPEECH_SCHEMA, "tracing": TRACING_SCHEMA}
    for step, schema in forms.items():
        assert _fields(schema) - set(steps[step]["data"]) == set(), step
        assert set(steps[step].get("data_description", {})) - _fields(schema) == set(), step
    assert "data" not in steps["init"]  # a menu has no fields


def test_every_speech_model_check_failure_has_an_options_text() -> None:
    """The speech step shows the worker's error code under the folder field, whatever went wrong."""
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    source = (INTEGRATION / "engine" / "whisper.py").read_text()
    codes = set(re.findall(r'ModelLoadError\("(whisper_[a-z_]+)"', source))
    # What the worker itself can fail with while loading (engine/worker.py), besides the folder's own faults.
    worker = (errors.EngineError, errors.WorkerCrashedError, errors.WorkerTimeoutError, errors.WorkerStoppedError)
    codes |= {cls.code for cls in worker}
    assert {"worker_crashed", "worker_timeout", "whisper_model_incomplete"} <= codes
    assert codes - set(strings["options"]["error"]) == set()
