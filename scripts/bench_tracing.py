"""Benchmark: does tracing cost a turn anything? (`scripts/bench --tracing`)

The same requests through the same agent in its default mode (Home Assistant's matcher answers
the commands it knows in milliseconds, the model the rest: the fast turns are where a cost
would show, the model turns are the slow tail), measured in one run with tracing off, tracing
to an offline run folder, and tracing online to a W&B that is down (a closed port on 127.0.0.1)
or stalls (a server on 127.0.0.1 that accepts the key and then never answers, so wandb.init and
its service process keep waiting and retrying). Prints p50/p95 per mode, the ratio to "off",
and what the trace writer did.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web
from homeassistant.core import HomeAssistant

from scripts.bench_requests import REQUESTS, ModeResult, run_mode
from toolkit.harness import OUR_AGENT, add_agent, running_home
from toolkit.local_web import serving
from toolkit.statistics import percentile

API_KEY = "bench" + "0" * 40


@asynccontextmanager
async def stalling_wandb() -> AsyncIterator[str]:
    """A W&B API on 127.0.0.1 that accepts the key, then never answers anything else."""
    expected = "Basic " + base64.b64encode(f"api:{API_KEY}".encode()).decode()

    async def graphql(request: web.Request) -> web.Response:
        body = await request.text()  # wandb-core also posts protobuf telemetry here: do not parse
        if request.headers.get("Authorization") == expected and "viewer" in body:
            return web.json_response({"data": {"viewer": {"id": "bench"}}})
        await asyncio.sleep(3600)
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", graphql)
    async with serving(app, shutdown_timeout=0.1) as base_url:
        yield base_url


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


async def switch_tracing(hass: HomeAssistant, entry: Any, **tracing: Any) -> None:
    """Change the tracing options (and key); the entry reloads and warms up again."""
    data = {**entry.data, "wandb_api_key": API_KEY}
    hass.config_entries.async_update_entry(entry, data=data, options={**entry.options, **tracing})
    await hass.async_block_till_done()
    if entry.runtime_data.warm_up is not None:
        await entry.runtime_data.warm_up
    await asyncio.sleep(2)  # let the writer reach its steady state (connected, or failed and waiting)


def writer_stats(entry: Any) -> dict[str, Any]:
    tracer = entry.runtime_data.tracer
    return dict(tracer.writer.stats()) if tracer else {}


async def main(model: Path, rounds: int) -> None:
    results: list[tuple[ModeResult, dict[str, Any]]] = []
    async with running_home() as hass, stalling_wandb() as stalling_url:
        entry = await add_agent(hass, model, prefer_local_intents=True)
        await run_mode(hass, "warm-up", OUR_AGENT, 1, entry)  # the matcher's first sentences load slowly
        modes: list[tuple[str, dict[str, Any]]] = [
            ("off", {"tracing_enabled": False}),
            ("offline", {"tracing_enabled": True, "tracing_mode": "offline"}),
            ("down", {"tracing_enabled": True, "tracing_mode": "online", "wandb_base_url": closed_port_url()}),
            ("stalling", {"tracing_enabled": True, "tracing_mode": "online", "wandb_base_url": stalling_url}),
            ("off again", {"tracing_enabled": False}),  # how much the machine itself drifted during the run
        ]
        for name, options in modes:
            await switch_tracing(hass, entry, **options)
            started = time.perf_counter()
            mode = await run_mode(hass, name, OUR_AGENT, rounds, entry)
            print(f"{name}: {len(mode.latencies_ms)} requests in {time.perf_counter() - started:.0f} s", flush=True)
            results.append((mode, writer_stats(entry)))
        await switch_tracing(hass, entry, tracing_enabled=False)
        await hass.config_entries.async_remove(entry.entry_id)
    report(results)


def report(results: list[tuple[ModeResult, dict[str, Any]]]) -> None:
    baseline = results[0][0]
    base_p50, base_p95 = percentile(baseline.latencies_ms, 0.5), percentile(baseline.latencies_ms, 0.95)
    print(f"\n{len(REQUESTS)} requests per mode (hybrid agent); latency = text in → reply ready\n")
    print(f"{'tracing':9} {'ok':>6} {'p50 ms':>8} {'p95 ms':>8} {'p50/off':>8} {'p95/off':>8}  writer")
    for mode, stats in results:
        p50, p95 = percentile(mode.latencies_ms, 0.5), percentile(mode.latencies_ms, 0.95)
        writer = (
            f"{stats['state']}, written {stats['written']}, queued {stats['queued']}, dropped {stats['dropped']}"
            if stats
            else "-"
        )
        print(
            f"{mode.name:9} {mode.successes:>3}/{len(REQUESTS):<2} {p50:8.0f} {p95:8.0f}"
            f" {p50 / base_p50:7.2f}x {p95 / base_p95:7.2f}x  {writer}"
        )
