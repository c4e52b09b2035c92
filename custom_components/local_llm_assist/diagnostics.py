"""The integration's diagnostics download: settings, model, worker health and recent generations.

Model output text, prompts and transcripts are left out: they can quote what people said at home.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.core import HomeAssistant

from .runtime import LocalLlmConfigEntry


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> dict[str, Any]:
    runtime = entry.runtime_data
    client = runtime.client
    return {
        "data": dict(entry.data),
        "options": dict(entry.options),
        "model": asdict(runtime.llm_settings),
        "worker": {
            "running": client.pid is not None,
            "restarts": client.restarts,
            "consecutive_failures": client.consecutive_failures,
            "request_timeout": client.request_timeout,
        },
        "speech": {
            "model": asdict(runtime.whisper_settings) if runtime.whisper_settings else None,
            "languages": len(runtime.whisper_languages),
            "recent": [
                {key: value for key, value in asdict(transcript).items() if key != "text"}
                for transcript in list(runtime.transcripts)[-10:]
            ],
        },
        "generations": {
            "count": runtime.generation_count,
            "recent": [
                {key: value for key, value in asdict(result).items() if key != "text"}
                for result in list(runtime.generations)[-10:]
            ],
        },
    }
