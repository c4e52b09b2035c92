"""Benchmark: speech-to-text accuracy and speed, and spoken command → executed action.

    scripts/bench stt [--models tiny.en base] [--snr 10] [--sweep [--sweep-only TEXT ...] [--sweep-half 1]]
                      [--no-e2e] [--json FILE]

1. Whisper alone (in the model worker, as the integration runs it): the benchmark's fixed
   commands and the same devices asked for in other words, spoken by six espeak-ng voices
   (toolkit/speech.py ACCENTS), clean and with sox pink noise mixed in at --snr dB, each without
   and with vocabulary biasing (the exposed device and area names as hotwords, exactly as the STT
   entity sends them). Prints word error rate per voice, latency per command and the real-time
   factor (decoding time / audio duration).
   --sweep first compares decoding settings on tiny.en with hotwords, today's (the baseline)
   against candidates, on every second command of each list (scripts/bench_stt_sweep.py).
2. End to end through a real Home Assistant: each command that changes a device is streamed
   through the ready "Local LLM Assist" pipeline (speech-to-text → Home Assistant's matcher or
   the model → action); latency is measured from the end of the audio to the state change.
Numbers vary with the machine: compare models and settings within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component

from custom_components.local_llm_assist.const import CONF_PIPELINE_ID, CONF_WHISPER_LANGUAGE, CONF_WHISPER_MODEL_PATH
from custom_components.local_llm_assist.engine.data import TranscriptionRequest, WhisperSettings
from custom_components.local_llm_assist.engine.worker import WorkerClient
from custom_components.local_llm_assist.stt import home_vocabulary
from scripts.bench_requests import REQUESTS, Request
from scripts.bench_stt_sweep import Audio, report_sweep, sweep
from toolkit.harness import add_agent, running_home
from toolkit.models import CACHE_DIR, DEFAULT_LLM
from toolkit.speech import ACCENTS, add_noise, speak, word_error_rate
from toolkit.spoken_turn import stream_spoken
from toolkit.statistics import percentile

WHISPER_MODELS = {"tiny.en": CACHE_DIR / "faster-whisper-tiny.en", "base": CACHE_DIR / "faster-whisper-base"}
# The bench home's devices asked for the way people also say it (WER only; no action is checked).
OTHER_WORDING = [
    "could you switch the kitchen light on please",
    "lights off in the office",
    "I want the living room ceiling light off",
    "dim the bedroom light to 20 percent",
    "please lock up the front door",
    "raise the garage door",
    "shut the blinds in the bedroom",
    "start the coffee maker",
    "stop the fan in the bedroom",
    "can you turn the bedroom fan on",
    "mute the living room speaker",
    "play music on the living room speaker",
    "what's the temperature outside",
    "set the thermostat to 21 degrees",
    "is anything on in the kitchen",
    "turn everything off in the office",
    "switch the reading lamp off",
    "open the blinds in the bedroom",
    "is the front window open",
    "make the living room lamp brighter",
]
COMMANDS = [request.text for request in REQUESTS] + OTHER_WORDING


@dataclass
class SttRun:
    model: str
    condition: str
    biased: bool
    pairs: list[tuple[str, str]] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    audio_seconds: list[float] = field(default_factory=list)


async def transcribe_all(client: WorkerClient, model: str, audio: Audio, vocabulary: str) -> list[SttRun]:
    settings = WhisperSettings(str(WHISPER_MODELS[model]))
    await client.load_whisper(settings)
    runs = []
    for (voice, condition), utterances in audio.items():
        for biased in (False, True):
            run = SttRun(model, f"{voice} {condition}", biased)
            for reference, pcm in utterances:
                asked = TranscriptionRequest(pcm=pcm, language="en", hotwords=vocabulary if biased else None)
                started = time.perf_counter()
                transcript = await client.transcribe(settings, asked)
                run.latencies_ms.append((time.perf_counter() - started) * 1000)
                run.audio_seconds.append(transcript.audio_seconds)
                run.pairs.append((reference, transcript.text))
            runs.append(run)
    return runs


def spoken_commands(snr_db: float, commands: list[str]) -> Audio:
    audio: Audio = {}
    for voice in ACCENTS:
        clean = [(text, speak(text, voice)) for text in commands]
        audio[voice, "clean"] = clean
        audio[voice, f"noise {snr_db:g} dB"] = [(text, add_noise(pcm, snr_db)) for text, pcm in clean]
    return audio


async def end_to_end(hass: HomeAssistant, model: str) -> tuple[list[float], int, int]:
    """Latency from the end of the audio to the state change, for every command that changes a device."""
    speech: dict[str, Any] = {CONF_WHISPER_MODEL_PATH: str(WHISPER_MODELS[model]), CONF_WHISPER_LANGUAGE: "en"}
    entry = await add_agent(hass, DEFAULT_LLM, **speech)
    pipeline_id = entry.data[CONF_PIPELINE_ID]
    latencies, done = [], 0
    actions = [request for request in REQUESTS if request.entity_id]
    for request in actions:
        elapsed = await timed_command(hass, pipeline_id, request)
        if elapsed is not None:
            latencies.append(elapsed)
            done += 1
    await hass.config_entries.async_remove(entry.entry_id)
    return latencies, done, len(actions)


async def timed_command(hass: HomeAssistant, pipeline_id: str, request: Request) -> float | None:
    assert request.entity_id and request.reset
    await hass.services.async_call(*request.reset, {"entity_id": request.entity_id}, blocking=True)
    changed_at: float | None = None

    @callback
    def on_change(event: Event[EventStateChangedData]) -> None:
        nonlocal changed_at
        if (state := event.data["new_state"]) is not None and state.state == request.expected:
            changed_at = changed_at or time.perf_counter()

    unsubscribe = async_track_state_change_event(hass, request.entity_id, on_change)
    try:
        turn = await stream_spoken(hass, pipeline_id, speak(request.text), context=Context())
    finally:
        unsubscribe()
    return None if changed_at is None else (changed_at - turn.audio_ended) * 1000


def report_stt(runs: list[SttRun], snr_db: float) -> list[dict[str, Any]]:
    print(f"\nSpeech-to-text: {len(COMMANDS)} commands x {len(ACCENTS)} voices ({', '.join(ACCENTS)}), clean and")
    print(f"with sox pink noise at {snr_db:g} dB SNR; the integration's decoding settings, whisper in the worker.")
    print("Biased: the exposed device and area names given to whisper as hotwords.\n")
    print(f"{'model':8} {'audio':26} {'biased':>6} {'WER':>6} {'p50 ms':>7} {'p95 ms':>7} {'RTF':>6}")
    numbers = []
    for run in runs:
        rtf = statistics.mean(ms / 1000 / s for ms, s in zip(run.latencies_ms, run.audio_seconds, strict=True))
        wer = word_error_rate(run.pairs)
        p50, p95 = percentile(run.latencies_ms, 0.5), percentile(run.latencies_ms, 0.95)
        flag = "yes" if run.biased else "no"
        print(f"{run.model:8} {run.condition:26} {flag:>6} {wer:6.3f} {p50:7.0f} {p95:7.0f} {rtf:6.3f}")
        numbers.append(
            {"model": run.model, "audio": run.condition, "biased": run.biased, "wer": wer, "p50_ms": p50, "p95_ms": p95}
        )
    for model in dict.fromkeys(run.model for run in runs):
        plain = [pair for run in runs if run.model == model and not run.biased for pair in run.pairs]
        biased = [pair for run in runs if run.model == model and run.biased for pair in run.pairs]
        print(f"{model}: WER over all audio {word_error_rate(plain):.3f} plain → {word_error_rate(biased):.3f} biased")
    return numbers


async def main(args: argparse.Namespace) -> None:
    audio = spoken_commands(args.snr, COMMANDS)
    snr_label = f"noise {args.snr:g} dB"
    results: dict[str, Any] = {"load_average": os.getloadavg(), "voices": ACCENTS, "commands": COMMANDS}
    async with running_home() as hass:
        assert await async_setup_component(hass, "assist_pipeline", {})
        vocabulary = home_vocabulary(hass)
        if args.sweep:
            subset = {key: utterances[args.sweep_half :: 2] for key, utterances in audio.items()}
            print(f"Settings sweep: tiny.en, hotwords, {sum(map(len, subset.values()))} utterances, 2 threads")
            rows = await asyncio.to_thread(
                sweep, str(WHISPER_MODELS["tiny.en"]), subset, vocabulary, 2, args.sweep_only
            )
            results["sweep"] = report_sweep(rows, ACCENTS, snr_label)
        client = WorkerClient(request_timeout=300)
        try:
            runs = [run for model in args.models for run in await transcribe_all(client, model, audio, vocabulary)]
        finally:
            await client.stop()
        results["stt"] = report_stt(runs, args.snr)
        if not args.no_e2e:
            print("\nEnd to end (ready pipeline, matcher first then the model): end of audio → state changed")
            results["e2e"] = {}
            for model in args.models:
                latencies, done, total = await end_to_end(hass, model)
                p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
                print(f"{model:8} executed {done}/{total}  p50 {p50:.0f} ms  p95 {p95:.0f} ms")
                results["e2e"][model] = {"executed": done, "of": total, "p50_ms": p50, "p95_ms": p95}
    results["load_average_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", choices=sorted(WHISPER_MODELS), default=list(WHISPER_MODELS))
    parser.add_argument("--snr", type=float, default=10.0, help="signal-to-noise ratio of the noisy audio, in dB")
    parser.add_argument("--no-e2e", action="store_true", help="only whisper, no Home Assistant pipeline runs")
    parser.add_argument("--sweep", action="store_true", help="first compare decoding settings on tiny.en")
    parser.add_argument(
        "--sweep-only", nargs="+", metavar="TEXT", help="sweep only the candidates whose name holds one of these"
    )
    parser.add_argument(
        "--sweep-half",
        type=int,
        choices=(0, 1),
        default=0,
        help="sweep every second command from the first (0) or second (1)",
    )
    parser.add_argument("--json", help="also write the numbers (and every transcript of the sweep) to this file")
    asyncio.run(main(parser.parse_args()))
