"""The requests every benchmark sends through a real Home Assistant, and how one is timed and judged."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant


@dataclass(frozen=True)
class Request:
    text: str
    entity_id: str | None = None  # None: a question, nothing may change
    expected: str | None = None
    reset: tuple[str, str] | None = None  # service that puts the entity back before the request
    answer: tuple[str, ...] = ()  # for questions: the reply must contain one of these


REQUESTS = [
    Request("turn on the kitchen light", "light.kitchen_light", "on", ("light", "turn_off")),
    Request("turn off the kitchen light", "light.kitchen_light", "off", ("light", "turn_on")),
    Request("switch on the office light", "light.office_light", "on", ("light", "turn_off")),
    Request("switch off the living room ceiling", "light.living_room_ceiling", "off", ("light", "turn_on")),
    Request("turn on the reading lamp", "light.living_room_lamp", "on", ("light", "turn_off")),
    Request("turn off the bedroom light", "light.bedroom_light", "off", ("light", "turn_on")),
    Request("turn on the coffee maker", "switch.coffee_maker", "on", ("switch", "turn_off")),
    Request("turn off the coffee maker", "switch.coffee_maker", "off", ("switch", "turn_on")),
    Request("lock the front door", "lock.front_door", "locked", ("lock", "unlock")),
    Request("unlock the front door", "lock.front_door", "unlocked", ("lock", "lock")),
    Request("open the garage door", "cover.garage_door", "open", ("cover", "close_cover")),
    Request("close the garage door", "cover.garage_door", "closed", ("cover", "open_cover")),
    Request("close the bedroom blinds", "cover.bedroom_blinds", "closed", ("cover", "open_cover")),
    Request("turn on the bedroom fan", "fan.bedroom_fan", "on", ("fan", "turn_off")),
    Request("turn off the bedroom fan", "fan.bedroom_fan", "off", ("fan", "turn_on")),
    Request("set the bedroom light to 30 percent", "light.bedroom_light", "on", ("light", "turn_off")),
    Request(
        "pause the living room speaker", "media_player.living_room_speaker", "paused", ("media_player", "media_play")
    ),
    Request("is the garage door open?", answer=("closed", "not open")),
    Request("is the front door locked?", answer=("unlocked", "not locked")),
    Request("what is the outdoor temperature?", answer=("12.5",)),
    Request("what is the capital of France?", answer=("paris",)),
    Request("how many days are in a week?", answer=("seven", "7")),
]


@dataclass
class ModeResult:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    successes: int = 0
    prompt_tokens_evaluated: list[int] = field(default_factory=list)
    tokens_generated: list[int] = field(default_factory=list)
    tokens_forced: list[int] = field(default_factory=list)
    prompt_ms: list[float] = field(default_factory=list)
    decode_ms: list[float] = field(default_factory=list)


async def run_request(
    hass: HomeAssistant, agent_id: str, request: Request, *, alone: bool = True
) -> tuple[float, bool]:
    """Latency and success of one request. `alone`: nothing else may change meanwhile (with
    concurrent requests each is judged on its own device only, and the wave as a whole)."""
    if request.reset and request.entity_id:
        domain, service = request.reset
        await hass.services.async_call(domain, service, {"entity_id": request.entity_id}, blocking=True)
    before = {s.entity_id: s.state for s in hass.states.async_all() if s.domain != "conversation"}
    started = time.perf_counter()
    result = await conversation.async_converse(hass, request.text, None, Context(), language="en", agent_id=agent_id)
    elapsed = (time.perf_counter() - started) * 1000
    after = {s.entity_id: s.state for s in hass.states.async_all() if s.domain != "conversation"}
    changed = {entity_id for entity_id, state in after.items() if before.get(entity_id) != state}
    if request.entity_id is None:
        reply = str(result.response.speech.get("plain", {}).get("speech", "")).lower()
        ok = not changed and any(word in reply for word in request.answer)
    else:
        ok = after.get(request.entity_id) == request.expected and (changed <= {request.entity_id} or not alone)
    return elapsed, ok


async def run_mode(hass: HomeAssistant, name: str, agent_id: str, rounds: int, entry: object = None) -> ModeResult:
    result = ModeResult(name)
    runtime = getattr(entry, "runtime_data", None)
    for round_index in range(rounds):
        for request in REQUESTS:
            count = runtime.generation_count if runtime else 0
            elapsed, ok = await run_request(hass, agent_id, request)
            if round_index < rounds - 1:
                continue  # earlier rounds only warm the cache
            result.latencies_ms.append(elapsed)
            result.successes += ok
            if runtime:
                new = (
                    list(runtime.generations)[-(runtime.generation_count - count) :]
                    if runtime.generation_count > count
                    else []
                )
                result.prompt_tokens_evaluated.append(sum(g.prompt_tokens - g.cached_prompt_tokens for g in new))
                result.tokens_generated.append(sum(g.completion_tokens for g in new))
                result.tokens_forced.append(sum(g.forced_tokens or 0 for g in new))
                result.prompt_ms.append(sum(g.prompt_ms for g in new))
                result.decode_ms.append(sum(g.generation_ms for g in new))
    print(f"{name}: {result.successes}/{len(REQUESTS)} right", file=sys.stderr, flush=True)  # progress of a long run
    return result
