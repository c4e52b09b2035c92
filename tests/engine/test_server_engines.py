"""The model-server engines against real servers on 127.0.0.1, and every way a server can fail.

The working server is llama-cpp-python's own (`python -m llama_cpp.server`) with the default
model, reached both ways: llama.cpp's GBNF grammar, and the OpenAI `response_format` JSON schema.
Faults are real too: a port with nothing listening, a socket that accepts and never answers, a
wrong API key, a server killed mid-generation, and a small aiohttp server that sends garbage.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from custom_components.local_llm_assist.engine.data import Device, GenerationRequest, ToolSpec
from custom_components.local_llm_assist.engine.engines.chat_server import ChatServerEngine, ServerSettings
from custom_components.local_llm_assist.engine.engines.health import FAILURES_BEFORE_ALERT, HealthMonitor
from custom_components.local_llm_assist.engine.engines.llamacpp_server import LlamaCppServerEngine
from custom_components.local_llm_assist.engine.engines.openai_compatible import OpenAiCompatibleEngine
from custom_components.local_llm_assist.engine.engines.probe import probe_engine
from custom_components.local_llm_assist.engine.errors import (
    ServerAuthError,
    ServerHttpError,
    ServerResponseError,
    ServerTimeoutError,
    ServerUnreachableError,
)
from custom_components.local_llm_assist.engine.grammar import build_grammar
from custom_components.local_llm_assist.engine.output_schema import build_output_schema
from custom_components.local_llm_assist.engine.prompt import build_examples, build_messages, build_system_prompt
from custom_components.local_llm_assist.engine.toolcall import Reply, ToolCall, parse_model_output
from toolkit.local_web import serving
from toolkit.models import SMOKE_LLM

from ..servers import SERVER_API_KEY, LlamaServer, free_port, silent_server, sockets_enabled, start_llama_server

DEVICES = [
    Device("Kitchen Light", "light", "Kitchen"),
    Device("Office Light", "light", "Office"),
    Device("Bedroom Fan", "fan", "Bedroom"),
    Device("Coffee Maker", "switch", "Kitchen"),
    Device("Porch Lamp", "light", "Porch"),
    Device("Hallway Heater", "switch", "Hallway"),
]
NAMES = [device.name for device in DEVICES]
TOOLS = [
    ToolSpec(
        "HassTurnOn",
        "Turns on a device",
        {"type": "object", "properties": {"name": {"type": "string", "enum": NAMES}}, "required": ["name"]},
        targets_devices=True,
    ),
    ToolSpec(
        "HassTurnOff",
        "Turns off a device",
        {"type": "object", "properties": {"name": {"type": "string", "enum": NAMES}}, "required": ["name"]},
        targets_devices=True,
    ),
]
ENGINES: list[type[ChatServerEngine]] = [LlamaCppServerEngine, OpenAiCompatibleEngine]


def turn(text: str, max_tokens: int = 48) -> GenerationRequest:
    """The product's own prompt and constraints for one request in the test home."""
    system = build_system_prompt("You are a voice assistant for a smart home.", TOOLS, DEVICES)
    return GenerationRequest(
        messages=build_messages(system, build_examples(TOOLS, DEVICES), [], text, DEVICES),
        grammar=build_grammar(TOOLS),
        output_schema=build_output_schema(TOOLS),
        temperature=0.0,
        max_tokens=max_tokens,
    )


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def engine_for(
    kind: type[ChatServerEngine],
    session: aiohttp.ClientSession,
    url: str,
    *,
    api_key: str | None = SERVER_API_KEY,
    timeout: float = 120.0,
    health: list[bool] | None = None,
) -> ChatServerEngine:
    settings = ServerSettings(url=url, model="qwen", api_key=api_key, request_timeout=timeout)
    return kind(session, settings, on_health_change=None if health is None else health.append)


@pytest.mark.parametrize("kind", ENGINES)
async def test_a_server_engine_turns_a_request_into_a_valid_tool_call(
    kind: type[ChatServerEngine], llama_server: LlamaServer, session: aiohttp.ClientSession
) -> None:
    engine = engine_for(kind, session, llama_server.url)
    result = await engine.generate(turn("turn on the kitchen light"))
    assert parse_model_output(result.text, TOOLS) == ToolCall("HassTurnOn", {"name": "Kitchen Light"})
    assert result.prompt_tokens > 100 and result.completion_tokens > 0  # read from the server's usage
    assert result.generation_ms > 0


async def test_the_openai_engine_falls_back_to_the_schema_form_llama_cpp_python_takes(
    llama_server: LlamaServer, session: aiohttp.ClientSession
) -> None:
    """llama-cpp-python's server refuses `json_schema` (HTTP 422) and takes `json_object` + `schema`."""
    engine = engine_for(OpenAiCompatibleEngine, session, llama_server.url + "/v1/")  # as pasted from a docs page
    assert isinstance(engine, OpenAiCompatibleEngine) and not engine.only_json_object_form
    result = await engine.generate(turn("switch off the bedroom fan"))
    assert engine.only_json_object_form
    assert parse_model_output(result.text, TOOLS) == ToolCall("HassTurnOff", {"name": "Bedroom Fan"})
    assert engine.health.consecutive_failures == 0  # the refused form does not count against the server


async def test_concurrent_requests_from_several_satellites_do_not_mix(
    llama_server: LlamaServer, session: aiohttp.ClientSession
) -> None:
    """Six satellites at once, through both engines: each gets the answer to its own request."""
    engines = [engine_for(kind, session, llama_server.url) for kind in ENGINES]
    requests = {name: turn(f"turn on the {name.lower()}") for name in NAMES}
    results = await asyncio.gather(
        *(engines[index % 2].generate(request) for index, request in enumerate(requests.values()))
    )
    answers = [parse_model_output(result.text, TOOLS) for result in results]
    assert answers == [ToolCall("HassTurnOn", {"name": name}) for name in requests]


async def test_the_set_up_probe_gets_a_reply_in_the_product_format(
    llama_server: LlamaServer, session: aiohttp.ClientSession
) -> None:
    for kind in ENGINES:
        result = await probe_engine(engine_for(kind, session, llama_server.url))
        assert isinstance(parse_model_output(result.text, []), Reply)


@pytest.mark.parametrize("kind", ENGINES)
async def test_a_wrong_or_missing_key_is_an_auth_error_that_never_quotes_the_key(
    kind: type[ChatServerEngine], llama_server: LlamaServer, session: aiohttp.ClientSession
) -> None:
    wrong = "sk-wrong-" + "0" * 24
    for api_key in (wrong, None):
        with pytest.raises(ServerAuthError) as caught:
            await engine_for(kind, session, llama_server.url, api_key=api_key).generate(turn("turn on the porch lamp"))
        assert caught.value.code == "server_auth_failed"
        assert wrong not in str(caught.value) and SERVER_API_KEY not in str(caught.value)
    assert SERVER_API_KEY not in repr(ServerSettings(url=llama_server.url, api_key=SERVER_API_KEY))


@pytest.mark.parametrize("kind", ENGINES)
async def test_nothing_listening_is_unreachable(kind: type[ChatServerEngine], session: aiohttp.ClientSession) -> None:
    engine = engine_for(kind, session, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ServerUnreachableError) as caught:
        await engine.generate(turn("turn on the porch lamp"))
    assert caught.value.code == "server_unreachable"


async def test_a_server_that_never_answers_times_out_within_the_limit(session: aiohttp.ClientSession) -> None:
    with silent_server() as url:
        engine = engine_for(LlamaCppServerEngine, session, url, timeout=1.0)
        started = time.monotonic()
        with pytest.raises(ServerTimeoutError) as caught:
            await engine.generate(turn("turn on the porch lamp"))
    assert caught.value.code == "server_timeout"
    assert time.monotonic() - started < 5  # bounded by the request time limit, not by the server


@pytest.fixture
def doomed_server(tmp_path: Path) -> Iterator[LlamaServer]:
    """A second server (the small smoke model), for a test that kills it."""
    with sockets_enabled():
        server = start_llama_server(SMOKE_LLM, tmp_path / "doomed.log", alias="smol")
    yield server
    server.kill()


async def test_a_server_stopped_mid_request_is_reported_at_once(
    doomed_server: LlamaServer, session: aiohttp.ClientSession
) -> None:
    engine = engine_for(LlamaCppServerEngine, session, doomed_server.url, api_key=None)
    long_answer = GenerationRequest(
        messages=turn("x").messages, grammar='root ::= ("yes " [0-9]){400}', temperature=0.0, max_tokens=1200
    )
    request = asyncio.ensure_future(engine.generate(long_answer))
    await asyncio.sleep(1.0)  # the prompt is evaluated and generation is under way
    assert not request.done()
    doomed_server.kill()
    with pytest.raises(ServerUnreachableError) as caught:
        await request
    assert "broke off" in str(caught.value) or "cannot connect" in str(caught.value)


GARBAGE = {
    "/html/v1/chat/completions": (200, b"<html><body>Welcome to nginx!</body></html>"),
    "/cut/v1/chat/completions": (200, b'{"choices": [{"message": {"content": "{\\"reply'),
    "/shape/v1/chat/completions": (200, b'{"result": "ok"}'),
    "/nocontent/v1/chat/completions": (200, b'{"choices": [{"message": {"role": "assistant"}}]}'),
    "/broken/v1/chat/completions": (500, b"Internal Server Error"),
}


@pytest.fixture
async def garbage_server(socket_enabled: None) -> AsyncIterator[str]:
    """A tiny HTTP server on 127.0.0.1 whose "chat completions" are broken in one way per path."""

    async def answer(request: web.Request) -> web.Response:
        status, body = GARBAGE[request.path]
        return web.Response(status=status, body=body, content_type="application/json")

    app = web.Application()
    for path in GARBAGE:
        app.router.add_post(path, answer)
    async with serving(app) as base_url:
        yield base_url


@pytest.mark.parametrize("path", ["html", "cut", "shape", "nocontent"])
async def test_garbage_and_malformed_json_are_bad_responses(
    path: str, garbage_server: str, session: aiohttp.ClientSession
) -> None:
    engine = engine_for(LlamaCppServerEngine, session, f"{garbage_server}/{path}")
    with pytest.raises(ServerResponseError) as caught:
        await engine.generate(turn("turn on the porch lamp"))
    assert caught.value.code == "server_bad_response"


async def test_a_server_error_is_reported_with_its_status(garbage_server: str, session: aiohttp.ClientSession) -> None:
    engine = engine_for(OpenAiCompatibleEngine, session, f"{garbage_server}/broken")
    with pytest.raises(ServerHttpError) as caught:
        await engine.generate(turn("turn on the porch lamp"))
    assert caught.value.status == 500 and caught.value.code == "server_error"


async def test_repeated_failures_raise_the_alarm_once_and_a_success_clears_it(
    llama_server: LlamaServer, session: aiohttp.ClientSession
) -> None:
    health: list[bool] = []
    down = engine_for(LlamaCppServerEngine, session, f"http://127.0.0.1:{free_port()}", health=health)
    for _ in range(FAILURES_BEFORE_ALERT + 1):
        with pytest.raises(ServerUnreachableError):
            await down.generate(turn("turn on the porch lamp"))
    assert health == [False]

    monitor = HealthMonitor(health.append)
    for _ in range(FAILURES_BEFORE_ALERT):
        monitor.failed()
    monitor.succeeded()
    monitor.succeeded()
    assert health == [False, False, True]


def test_the_output_schema_describes_exactly_the_grammar_format() -> None:
    schema = build_output_schema(TOOLS)
    call, _, reply = schema["anyOf"]
    assert call["properties"]["name"] == {"type": "string", "enum": ["HassTurnOn"]}
    assert call["properties"]["arguments"]["properties"]["name"]["enum"] == NAMES
    assert call["additionalProperties"] is False and call["properties"]["arguments"]["additionalProperties"] is False
    assert reply["required"] == ["reply"] and reply["properties"]["reply"]["maxLength"] > 0
    assert "additionalProperties" not in TOOLS[0].parameters  # the tool's own schema is not changed
    assert build_output_schema([]) == reply  # nothing to call: only a reply
