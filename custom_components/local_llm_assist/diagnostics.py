"""The integration's diagnostics download: settings, model, worker health, recent generations, tracing.

Model output text, prompts and transcripts are left out: they can quote what people said at home.
Recent traces carry text only if the user chose to trace it. API keys (W&B, a model server) are always
redacted.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_SERVER_API_KEY
from .runtime import LocalLlmConfigEntry
from .tracing.settings import CONF_WANDB_API_KEY, TracingSettings

REDACTED = {CONF_WANDB_API_KEY, CONF_SERVER_API_KEY}


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> dict[str, Any]:
    runtime = entry.runtime_data
    client = runtime.client
    return {
        "data": async_redact_data(dict(entry.data), REDACTED),
        "options": dict(entry.options),
        "model": asdict(runtime.llm_settings) if runtime.llm_settings else None,
        "engine": runtime.engine.describe(),  # never holds a secret
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
        "tracing": _tracing_diagnostics(entry),
    }


def _tracing_diagnostics(entry: LocalLlmConfigEntry) -> dict[str, Any]:
    settings = TracingSettings.from_entry(entry.data, entry.options)
    tracer = entry.runtime_data.tracer
    return {
        "settings": async_redact_data(asdict(settings), {"api_key"}),
        "writer": tracer.writer.stats() if tracer else None,
        "recent_traces": list(tracer.recent) if tracer else [],
    }
