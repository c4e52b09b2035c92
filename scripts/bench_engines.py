"""Scale-out benchmark: many satellites talking at once, the worker vs model servers, in one run.

    scripts/bench --engine llamacpp-server=http://127.0.0.1:8080 [--engine openai=URL,model=NAME] \
        [--concurrency 10] [--waves 3]

For each engine (the built-in worker first, as the baseline, then every --engine) our agent is
set up in a real Home Assistant with the test home, and `--concurrency` conversations each send
one command at the same moment, each about a different device, `--waves` times after one warm-up
wave. Reported per engine: commands carried out, throughput (commands per second of wall time),
latency p50/p95 per command, and throughput relative to the worker.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

from homeassistant.core import HomeAssistant

from scripts.bench_requests import REQUESTS, Request, run_request
from toolkit.engine_choice import WORKER, EngineChoice
from toolkit.harness import OUR_AGENT, add_agent, running_home
from toolkit.statistics import percentile


@dataclass
class EngineResult:
    label: str
    latencies_ms: list[float] = field(default_factory=list)
    successes: int = 0
    wall_s: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s else float("nan")


def one_per_device(count: int) -> list[Request]:
    """Commands on `count` different devices: concurrent turns must not undo each other's work."""
    chosen: dict[str, Request] = {}
    for request in REQUESTS:
        if request.entity_id and request.entity_id not in chosen:
            chosen[request.entity_id] = request
    if len(chosen) < count:
        raise SystemExit(f"the test home has only {len(chosen)} devices to command at once")
    return list(chosen.values())[:count]


async def run_wave(hass: HomeAssistant, requests: list[Request]) -> tuple[list[tuple[float, bool]], float]:
    """All requests at once. Each is judged on its own device; a wave that changed any device no
    request was about fails every request in it."""
    targets = {request.entity_id for request in requests}
    before = {state.entity_id: state.state for state in hass.states.async_all() if state.domain != "conversation"}
    started = time.perf_counter()
    outcomes = await asyncio.gather(*(run_request(hass, OUR_AGENT, request, alone=False) for request in requests))
    wall_s = time.perf_counter() - started
    after = {state.entity_id: state.state for state in hass.states.async_all() if state.domain != "conversation"}
    strays = {entity_id for entity_id, state in after.items() if before.get(entity_id) != state} - targets
    return [(elapsed, ok and not strays) for elapsed, ok in outcomes], wall_s


async def bench_engine(
    hass: HomeAssistant, model: Path, engine: EngineChoice, requests: list[Request], waves: int
) -> EngineResult:
    entry = await add_agent(hass, model, engine=engine, prefer_local_intents=False, request_timeout=600)
    if entry.runtime_data.warm_up is not None:
        await entry.runtime_data.warm_up
    result = EngineResult(engine.label())
    await run_wave(hass, requests)  # warm-up: prompt caches filled
    for _ in range(waves):
        outcomes, wall_s = await run_wave(hass, requests)
        result.wall_s += wall_s
        result.latencies_ms += [elapsed for elapsed, _ in outcomes]
        result.successes += sum(ok for _, ok in outcomes)
    await hass.config_entries.async_remove(entry.entry_id)
    return result


def report(results: list[EngineResult], concurrency: int, waves: int) -> None:
    baseline = results[0].throughput
    total = concurrency * waves
    print(f"\n{concurrency} conversations at once, {waves} waves (after one warm-up wave); one command each\n")
    print("| engine | ok | throughput (cmd/s) | p50 ms | p95 ms | throughput vs worker |")
    print("|---|---|---|---|---|---|")
    for result in results:
        p50, p95 = percentile(result.latencies_ms, 0.5), percentile(result.latencies_ms, 0.95)
        print(
            f"| {result.label} | {result.successes}/{total} | {result.throughput:.2f} | {p50:.0f} | {p95:.0f}"
            f" | {result.throughput / baseline:.2f}x |"
        )


async def main(model: Path, engines: list[EngineChoice], concurrency: int, waves: int) -> None:
    requests = one_per_device(concurrency)
    results = []
    async with running_home() as hass:
        for engine in [WORKER, *engines]:
            results.append(await bench_engine(hass, model, engine, requests, waves))
    report(results, concurrency, waves)
