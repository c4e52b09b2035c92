"""Benchmark: spoken-style text → executed action, through a real Home Assistant.

    scripts/bench [--model PATH] [--rounds N] [--cold N] [--home basic|bigger]
    scripts/bench --tracing [--model PATH] [--rounds N]   (tracing off / offline / W&B down / stalling)
    scripts/bench --engine llamacpp-server=URL [--concurrency 10]   (the worker vs a model server, see bench_engines.py)

Runs a fixed set of requests against the test home with three agents and prints latency
percentiles, success counts, tokens and the worker's peak memory:
  builtin  Home Assistant's own sentence matcher (the baseline, measured in the same run)
  hybrid   our agent, Home Assistant's matcher first and the model for the rest (the default)
  llm      our agent with every request answered by the model
  llm-llama-grammar  the same, decoding with llama.cpp's own grammar sampler, one token at a time
           (the baseline for jump-forward decoding, engine/decoding.py)
"Cold" requests are the first after the model is loaded (nothing cached); "warm" ones reuse the
cached prompt prefix. `--home bigger` times the same requests in a home of 65 exposed devices
(toolkit/bigger_home.py): a longer prompt and a bigger grammar. Numbers vary with the machine:
compare ratios within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.local_llm_assist.const import CONF_DECODING
from custom_components.local_llm_assist.engine.prefix_states import CACHE_FOLDER
from scripts.bench_requests import REQUESTS, ModeResult, run_mode, run_request
from toolkit.bigger_home import bigger_home
from toolkit.engine_choice import parse_engine
from toolkit.harness import BUILTIN_AGENT, OUR_AGENT, add_agent, running_home
from toolkit.models import DEFAULT_LLM
from toolkit.statistics import percentile


async def cold_latencies(hass: HomeAssistant, model: Path, samples: int, *, saved_prompts: bool) -> list[float]:
    """Each sample: a freshly loaded model answering its first request, as after a restart.

    Without `saved_prompts` the states saved beside the model are deleted first (the very first
    start: the whole static prompt is evaluated); with them, the start loads the saved state.
    """
    latencies = []
    for request in REQUESTS[:samples]:
        if not saved_prompts:
            shutil.rmtree(model.parent / CACHE_FOLDER, ignore_errors=True)
        entry = await add_agent(hass, model, prefer_local_intents=False)
        elapsed, _ = await run_request(hass, OUR_AGENT, request)
        latencies.append(elapsed)
        await hass.config_entries.async_remove(entry.entry_id)
    return latencies


def peak_rss_mb(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _mean(values: list[int] | list[float]) -> float:
    return statistics.mean(values) if values else 0.0


def report(results: list[ModeResult], cold: list[float], restarted: list[float], rss_mb: float, load_ms: float) -> None:
    baseline = statistics.median(results[0].latencies_ms)
    print(f"\n{len(REQUESTS)} requests; latency = text in → action executed and reply ready\n")
    print(
        f"{'mode':17} {'ok':>6} {'p50 ms':>8} {'p95 ms':>8} {'p50/builtin':>12} {'prompt tok':>11} {'gen tok':>8}"
        f" {'forced':>7} {'prompt ms':>10} {'decode ms':>10}"
    )
    for mode in results:
        p50, p95 = percentile(mode.latencies_ms, 0.5), percentile(mode.latencies_ms, 0.95)
        print(
            f"{mode.name:17} {mode.successes:>3}/{len(REQUESTS):<2} {p50:8.0f} {p95:8.0f} {p50 / baseline:11.1f}x"
            f" {_mean(mode.prompt_tokens_evaluated):11.0f} {_mean(mode.tokens_generated):8.1f}"
            f" {_mean(mode.tokens_forced):7.1f} {_mean(mode.prompt_ms):10.0f} {_mean(mode.decode_ms):10.0f}"
        )
    by_name = {mode.name: mode for mode in results}
    new, old = by_name["llm"].latencies_ms, by_name["llm-llama-grammar"].latencies_ms
    p50_ratio = percentile(new, 0.5) / percentile(old, 0.5)
    p95_ratio = percentile(new, 0.95) / percentile(old, 0.95)
    print(f"\njump-forward vs llama.cpp's grammar sampler (model only): p50 {p50_ratio:.2f}x, p95 {p95_ratio:.2f}x")
    for label, values in (("cold, nothing saved", cold), ("after a restart, prompt state saved", restarted)):
        print(
            f"\nfirst request, {label} ({len(values)} samples): p50 {percentile(values, 0.5):.0f} ms, "
            f"p95 {percentile(values, 0.95):.0f} ms"
        )
    print(f"restart vs cold: p50 {percentile(restarted, 0.5) / percentile(cold, 0.5):.2f}x")
    print(f"model load: {load_ms:.0f} ms; worker peak RSS: {rss_mb:.0f} MB")


HOMES: dict[str, Callable[[], str | dict[str, Any]]] = {"basic": lambda: "basic", "bigger": bigger_home}


async def main(model: Path, rounds: int, cold_samples: int, home: str) -> None:
    async with running_home(HOMES[home]()) as hass:
        builtin = await run_mode(hass, "builtin", BUILTIN_AGENT, 1)
        started = time.perf_counter()
        entry = await add_agent(hass, model, prefer_local_intents=True)
        load_ms = (time.perf_counter() - started) * 1000
        hybrid = await run_mode(hass, "hybrid", OUR_AGENT, rounds, entry)
        hass.config_entries.async_update_entry(entry, options={**entry.options, "prefer_local_intents": False})
        await hass.async_block_till_done()
        llm = await run_mode(hass, "llm", OUR_AGENT, rounds, entry)
        rss = peak_rss_mb(entry.runtime_data.client.pid)
        hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_DECODING: "llama_grammar"})
        await hass.config_entries.async_reload(entry.entry_id)
        llama_grammar = await run_mode(hass, "llm-llama-grammar", OUR_AGENT, rounds, entry)
        await hass.config_entries.async_remove(entry.entry_id)
        cold = await cold_latencies(hass, model, cold_samples, saved_prompts=False)
        restarted = await cold_latencies(hass, model, cold_samples, saved_prompts=True)
    report([builtin, hybrid, llm, llama_grammar], cold, restarted, rss, load_ms)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=DEFAULT_LLM)
    parser.add_argument("--rounds", type=int, default=2, help="rounds per mode; only the last is measured")
    parser.add_argument("--cold", type=int, default=8, help="cold samples (each reloads the model)")
    parser.add_argument("--home", choices=sorted(HOMES), default="basic", help="the test home or a bigger one")
    parser.add_argument("--tracing", action="store_true", help="measure what tracing to W&B costs a turn")
    parser.add_argument(
        "--engine",
        type=parse_engine,
        action="append",
        default=[],
        help="a model server to compare with the worker under concurrent load (repeatable; see engine_choice.py)",
    )
    parser.add_argument("--concurrency", type=int, default=10, help="with --engine: conversations at once")
    parser.add_argument("--waves", type=int, default=3, help="with --engine: measured waves of concurrent commands")
    args = parser.parse_args()
    if args.engine:
        from scripts import bench_engines

        asyncio.run(bench_engines.main(args.model, args.engine, args.concurrency, args.waves))
    elif args.tracing:
        from scripts import bench_tracing

        asyncio.run(bench_tracing.main(args.model, args.rounds))
    else:
        asyncio.run(main(args.model, args.rounds, args.cold, args.home))
