"""From a seed to examples: homes, requests over them, rendered and checked one model output at a time."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from custom_components.local_llm_assist.engine.data import ChatMessage, Device
from custom_components.local_llm_assist.engine.prompt import (
    call_message,
    focused_result,
    reply_message,
    tool_result_message,
)
from custom_components.local_llm_assist.engine.text import normalize
from custom_components.local_llm_assist.engine.toolcall import Reply, ToolCall
from custom_components.local_llm_assist.engine.toolnames import bare_name
from custom_components.local_llm_assist.home_context import HomeContext
from custom_components.local_llm_assist.tool_results import confirmed_targets

from . import assistant, commands, compound, followups, ha_sentences, negatives, questions, settings
from .check import (
    GeneratorBug,
    check_answer_has_states,
    check_call,
    check_output,
    check_private_refusal,
    check_unknown,
)
from .ha_home import HomeSession, home_session
from .homes import Home, random_home
from .noise import noisy
from .render import messages, output_text
from .request import Family, Request

# Each family's share of the requests: the commands a small model gets wrong today weigh most
# (areas, floors, the whole home, indirect requests, media, questions; see the README).
WEIGHTED_FAMILIES: tuple[tuple[Family, int], ...] = (
    (ha_sentences.ha_template, 6),
    (commands.named_on_off, 4), (commands.area_kind, 4), (commands.floor_kind, 3), (commands.everywhere, 3),
    (commands.here_kind, 2), (commands.single_lock, 2), (commands.the_only_one, 2), (settings.setting, 7),
    (commands.media, 3), (commands.indirect, 3),
    (compound.two_commands, 1), (compound.every_lock, 1),
    (questions.yes_no, 3), (questions.any_on, 1), (questions.numeric, 2), (questions.playing, 1),
    (assistant.skill, 3), (assistant.script, 1), (followups.after_question, 2), (followups.after_command, 2),
    (negatives.unknown_device, 2), (negatives.unexposed_device, 1), (negatives.chit_chat, 2), (negatives.injection, 1),
)  # fmt: skip
MAX_TRIES = 40  # per request wanted: families without a device for them in this home return None


@dataclass
class Tally:
    """What was generated and what was left out, for the manifest."""

    variants: Counter[str] = field(default_factory=Counter)
    excluded_dev_sentences: int = 0


async def home_rows(
    home: Home, rng: random.Random, requests: int, prompt_style: str, excluded: frozenset[str], tally: Tally
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    families, weights = zip(*WEIGHTED_FAMILIES, strict=True)
    async with home_session(home, prompt_style) as session:
        for _ in range(requests * MAX_TRIES):
            if len(seen) >= requests:
                break
            request = rng.choices(families, weights)[0](rng, home)
            if request is None:
                continue
            text, variant = noisy(rng, request.text, request.kind)
            if normalize(text) in excluded:
                tally.excluded_dev_sentences += 1
                continue
            if normalize(text) in seen:
                continue
            seen.add(normalize(text))
            tally.variants[variant or "plain"] += 1
            rows += await _rendered(session, request, text, f"{home.key}-{len(seen):03d}")
    return rows


async def _rendered(session: HomeSession, request: Request, text: str, key: str) -> list[dict[str, Any]]:
    """One row per model output the request takes (a call whose result the model reads, then its reply)."""
    if request.earlier:
        request.history = await _earlier_turn(session, *request.earlier)
    context = await session.context(request.given)
    devices = context.names.devices
    here = request.here.name if request.here else None
    outcome = request.outcome
    reply = outcome.reply
    if request.refused_with:
        check_private_refusal(text, context)
        key_name, values = request.refused_with
        reply = await session.sentence(key_name, **values)
    output = output_text(outcome.call, reply)
    parsed = check_output(output, session.plan)
    if isinstance(parsed, ToolCall):
        check_call(parsed, text, request.history, here, session.plan, context)
    elif request.family.startswith("question"):
        user_turn = messages(session, text, devices, request.history, [], here, output)[-2]["content"]
        check_answer_has_states(user_turn, [d.name for d in devices if d.name in parsed.text])
    elif request.family == "unknown_device":
        check_unknown(text, context)
    row = _row(key, session, request, messages(session, text, devices, request.history, [], here, output))
    return [row, *await _continued(session, request, text, key, devices, context)]


async def _earlier_turn(session: HomeSession, text: str, call: ToolCall) -> list[ChatMessage]:
    """An earlier command as the conversation's history holds it: the words, the call Home Assistant
    made (a verb tool is its real intent there), its real result and the confirmation spoken."""
    await session.context({})
    real = session.plan.tools.to_real_call(call)
    result = await session.call_tool(call)
    if not (done := confirmed_targets(result)):
        raise GeneratorBug(f"the earlier command {text!r} was not carried out: {result}")
    spoken = await session.sentence("action_done", targets=", ".join(done))
    name = bare_name(real.name)
    return [ChatMessage("user", text), call_message(name, real.arguments), tool_result_message(name, result),
            reply_message(spoken)]  # fmt: skip


async def _continued(
    session: HomeSession, request: Request, text: str, key: str, devices: list[Device], context: HomeContext
) -> list[dict[str, Any]]:
    """The model outputs after the first, as the tool loop asks for them: each call before is executed
    for real in this home and its result shown (a script, GetLiveContext, two commands in one request)."""
    first = request.outcome.call
    if first is None or not (request.more or request.then):
        return []
    here = request.here.name if request.here else None
    calls, pending, results, rows = [first, *request.more], list[ChatMessage](), [], []
    for step, (done, following) in enumerate(zip(calls, [*request.more, None], strict=True), start=2):
        result = await session.call_tool(done)
        results.append(result)
        shown = focused_result(done.name, result, text, devices, here)
        pending += [call_message(done.name, done.arguments), tool_result_message(done.name, shown)]
        if following is not None:
            output = output_text(following, None)
            check_call(following, text, request.history, here, session.plan, context)
        else:
            output = output_text(None, await _final_reply(session, request, results))
            if not isinstance(check_output(output, session.plan), Reply):
                raise GeneratorBug(f"{text!r}: the reply after {done.name} does not parse as one")
        sent = messages(session, text, devices, request.history, pending, here, output)
        rows.append(_row(f"{key}-{step}", session, request, sent))
    return rows


async def _final_reply(session: HomeSession, request: Request, results: list[Any]) -> str:
    """What the model says once every call is done: its own words for a result it read, else the
    product's confirmation of the devices Home Assistant acted on."""
    if request.then:
        return request.then(results[-1])
    done = [name for result in results for name in confirmed_targets(result)]
    if len(done) != len(results):
        raise GeneratorBug(f"{request.text!r}: Home Assistant did not carry out every call: {results}")
    return await session.sentence("action_done", targets=", ".join(done))


def _row(key: str, session: HomeSession, request: Request, sent: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": key, "home": session.home.key, "kind": request.kind, "family": request.family, "messages": sent}


def homes(seed: int, count: int) -> list[tuple[Home, random.Random]]:
    """The homes of a run, each with its own random stream: one home's requests never shift another's."""
    made = []
    for index in range(count):
        rng = random.Random(f"{seed}-{index}")
        made.append((random_home(rng, f"s{seed}h{index:04d}"), rng))
    return made
