"""End to end only, from a checkout's root: spoken command -> state change, tiny.en, matcher first and model only.

[DECODING=llama_grammar] python e2e.py ROUNDS   (prints one JSON line per mode; DECODING: the model-only agent's)
"""

import asyncio
import json
import os
import sys
from pathlib import Path

from homeassistant.components import assist_pipeline
from homeassistant.setup import async_setup_component

from custom_components.local_llm_assist.const import CONF_PIPELINE_ID, CONF_WHISPER_LANGUAGE, CONF_WHISPER_MODEL_PATH
from scripts.bench_requests import REQUESTS
from scripts.bench_stt import WHISPER_MODELS, timed_command
from toolkit.harness import add_agent, running_home
from toolkit.models import DEFAULT_LLM
from toolkit.statistics import percentile


async def mode(hass, rounds, model_only):
    speech = {CONF_WHISPER_MODEL_PATH: str(WHISPER_MODELS["tiny.en"]), CONF_WHISPER_LANGUAGE: "en"}
    extra = (
        {"prefer_local_intents": False, "decoding": os.environ.get("DECODING", "jump_forward")} if model_only else {}
    )
    entry = await add_agent(hass, DEFAULT_LLM, **speech, **extra)
    pipeline_id = entry.data[CONF_PIPELINE_ID]
    if model_only:
        pipeline = assist_pipeline.async_get_pipeline(hass, pipeline_id)
        await assist_pipeline.async_update_pipeline(hass, pipeline, prefer_local_intents=False)
    lat, total = [], 0
    for _ in range(rounds):
        for request in [r for r in REQUESTS if r.entity_id]:
            total += 1
            elapsed = await timed_command(hass, pipeline_id, request)
            if elapsed is not None:
                lat.append(elapsed)
    stt = [t.transcribe_ms for t in entry.runtime_data.transcripts]
    await hass.config_entries.async_remove(entry.entry_id)
    return {
        "tree": str(Path.cwd()),
        "mode": "model only" if model_only else "matcher first",
        "decoding": os.environ.get("DECODING", "jump_forward"),
        "executed": len(lat),
        "of": total,
        "p50_ms": percentile(lat, 0.5),
        "p95_ms": percentile(lat, 0.95),
        "stt_p50_ms_recent": percentile(stt, 0.5) if stt else None,
        "load": os.getloadavg(),
        "latencies_ms": [round(x) for x in lat],
    }


async def main(rounds):
    async with running_home() as hass:
        assert await async_setup_component(hass, "assist_pipeline", {})
        for model_only in (False, True):
            print(json.dumps(await mode(hass, rounds, model_only)), flush=True)


asyncio.run(main(int(sys.argv[1])))
