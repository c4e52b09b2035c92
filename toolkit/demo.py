"""The demo's steps against a real Home Assistant on 127.0.0.1:8123 (scripts/develop runs them in order).

    python -m toolkit.demo prepare             # fresh config dir .cache/develop-config (fails if the port is busy)
    python -m toolkit.demo wait [--pid PID]    # until Home Assistant answers over HTTP
    python -m toolkit.demo onboard             # user demo / demo-demo-demo, every onboarding step, a saved token
    python -m toolkit.demo configure           # add the integration with the default model and speech-to-text,
                                               # make its "Local LLM Assist" voice pipeline the preferred one
    python -m toolkit.demo say TEXT            # talk to the agent; print its reply and the state changes it caused
    python -m toolkit.demo say --voice en-us TEXT   # the same, spoken by espeak-ng through the voice pipeline
    python -m toolkit.demo call lock.unlock lock.front_door   # call a service (sets a state up for a check)

Only 127.0.0.1 is ever contacted. The long-lived token for `say` is kept in .cache/develop-config/demo-token.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from toolkit.models import assembled_path, load_packaged_models
from toolkit.speech import chunks, speak

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / ".cache" / "develop-config"
DEMO_HOME = REPO_ROOT / "scripts" / "demo_home.yaml"
CUSTOM_COMPONENTS = {
    "local_llm_assist": REPO_ROOT / "custom_components" / "local_llm_assist",
    "fixture_home": REPO_ROOT / "tests" / "testing_config" / "custom_components" / "fixture_home",
}

HOST = "127.0.0.1"
PORT = 8123
USERNAME = "demo"
PASSWORD = "demo-demo-demo"
DEFAULT_MODEL = "qwen2.5-coder-0.5b-instruct-q4_k_m"
DEFAULT_WHISPER = "whisper-tiny.en-ct2"
STT_ENTITY = "stt.local_llm_assist"
DEFAULT_AGENT = "conversation.local_llm_assist"
INTEGRATION = "local_llm_assist"
WATCHED_ATTRIBUTES = (
    "brightness",
    "rgb_color",
    "color_temp_kelvin",
    "temperature",
    "current_position",
    "position",
    "percentage",
    "volume_level",
)
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=180)
# Finishing onboarding's core_config step starts these; they need the internet (and packages not installed
# here, so they fail and log errors once). Their entries are removed again so the demo stays offline and clean.
ONBOARDING_NETWORK_INTEGRATIONS = ("google_translate", "met", "radio_browser")

# Offline only: no default_config (it pulls in cloud, discovery and other network integrations).
CONFIGURATION_YAML = """\
# Written by toolkit/demo.py prepare: recreated on every scripts/develop run.
homeassistant:
  name: Local LLM Assist demo
  latitude: 52.3731339
  longitude: 4.8903147
  elevation: 0
  unit_system: metric
  time_zone: Europe/Amsterdam
  country: NL
  currency: EUR
  language: en

http:
  server_host: {host}
  server_port: {port}

frontend:
config:
conversation:
intent:
assist_pipeline:
history:
logger:
  default: warning
  logs:
    custom_components.local_llm_assist: info
    homeassistant.components.conversation: info

fixture_home: !include demo_home.yaml
"""


class DemoError(Exception):
    """A step failed; the message says what to do."""


@dataclass(frozen=True)
class Instance:
    """One demo Home Assistant: its config dir and its port on 127.0.0.1.

    scripts/develop uses the defaults; the browser tests start one of their own on a free port.
    """

    config_dir: Path = CONFIG_DIR
    port: int = PORT

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def client_id(self) -> str:
        return f"{self.base_url}/"

    @property
    def token_file(self) -> Path:
        return self.config_dir / "demo-token"

    @property
    def agent_file(self) -> Path:
        return self.config_dir / "demo-agent"

    def session(self, timeout: aiohttp.ClientTimeout = HTTP_TIMEOUT) -> aiohttp.ClientSession:
        """A client whose request paths ("/api/...") go to this instance."""
        return aiohttp.ClientSession(base_url=self.base_url, timeout=timeout)


DEVELOP = Instance()


# ---------------------------------------------------------------- prepare


def port_is_free(host: str = HOST, port: int = PORT) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def prepare(instance: Instance = DEVELOP) -> None:
    """Recreate the config dir: configuration, demo home and links to the two custom integrations."""
    if not port_is_free(port=instance.port):
        raise DemoError(f"port {instance.port} on {HOST} is busy: stop whatever runs there (another Home Assistant?)")
    config_dir = instance.config_dir
    shutil.rmtree(config_dir, ignore_errors=True)
    components = config_dir / "custom_components"
    components.mkdir(parents=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION_YAML.format(host=HOST, port=instance.port))
    shutil.copyfile(DEMO_HOME, config_dir / "demo_home.yaml")
    for name, source in CUSTOM_COMPONENTS.items():
        (components / name).symlink_to(source, target_is_directory=True)
    print(f"config dir: {config_dir}")


# ---------------------------------------------------------------- wait


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def answers(session: aiohttp.ClientSession) -> bool:
    """True once the onboarding API answers: HA opens its HTTP server after setting everything up."""
    try:
        async with session.get("/api/onboarding", timeout=aiohttp.ClientTimeout(total=5)) as response:
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


async def wait(limit_s: float, pid: int | None, instance: Instance = DEVELOP) -> None:
    deadline = time.monotonic() + limit_s
    async with instance.session() as session:
        while not await answers(session):
            if pid is not None and not process_alive(pid):
                raise DemoError("Home Assistant exited during start-up: see its log above")
            if time.monotonic() > deadline:
                raise DemoError(f"Home Assistant did not answer on {instance.base_url} within {limit_s:.0f} s")
            await asyncio.sleep(1)
    print(f"Home Assistant answers on {instance.base_url}")


# ---------------------------------------------------------------- HTTP and websocket helpers


def auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def request_json(
    session: aiohttp.ClientSession, method: str, path: str, token: str | None = None, **kwargs: Any
) -> Any:
    """One HTTP call (the session knows the instance); any status but 200/201 is an error that shows HA's answer."""
    headers = auth_header(token) if token else {}
    async with session.request(method, path, headers=headers, **kwargs) as response:
        body = await response.text()
        if response.status not in (200, 201):
            raise DemoError(f"{method} {path}: HTTP {response.status}: {body[:500]}")
        return json.loads(body) if body else None


class Websocket:
    """A minimal client of HA's websocket API: authenticate, then one command at a time."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._next_id = 1

    async def authenticate(self, token: str) -> None:
        await self._ws.receive_json()  # auth_required
        await self._ws.send_json({"type": "auth", "access_token": token})
        reply = await self._ws.receive_json()
        if reply.get("type") != "auth_ok":
            raise DemoError(f"websocket authentication failed: {reply}")

    async def command(self, command_type: str, **fields: Any) -> Any:
        message_id, self._next_id = self._next_id, self._next_id + 1
        await self._ws.send_json({"id": message_id, "type": command_type, **fields})
        while True:
            reply = await self._ws.receive_json()
            if reply.get("id") == message_id and reply.get("type") == "result":
                break
        if not reply.get("success"):
            raise DemoError(f"websocket {command_type}: {reply.get('error')}")
        return reply.get("result")

    async def run_voice_pipeline(self, pcm: bytes) -> dict[str, Any]:
        """Stream speech through the preferred pipeline as the voice UI does; the events' data by type."""
        await self.command(
            "assist_pipeline/run",
            start_stage="stt",
            end_stage="intent",
            input={"sample_rate": 16000, "no_vad": True},
        )
        events: dict[str, Any] = {}
        while True:
            event = (await self._ws.receive_json())["event"]
            events[event["type"]] = event.get("data") or {}
            if event["type"] == "run-start":
                handler = bytes([event["data"]["runner_data"]["stt_binary_handler_id"]])
                for chunk in chunks(pcm):
                    await self._ws.send_bytes(handler + chunk)
                await self._ws.send_bytes(handler)  # end of speech
            if event["type"] == "run-end":
                return events


@contextlib.asynccontextmanager
async def websocket(session: aiohttp.ClientSession, token: str) -> AsyncIterator[Websocket]:
    async with session.ws_connect("/api/websocket") as ws:
        client = Websocket(ws)
        await client.authenticate(token)
        yield client


def read_token(instance: Instance = DEVELOP) -> str:
    if not instance.token_file.exists():
        raise DemoError(f"no token in {instance.token_file}: start Home Assistant with scripts/develop first")
    return instance.token_file.read_text().strip()


# ---------------------------------------------------------------- onboard


async def create_user(session: aiohttp.ClientSession, instance: Instance) -> str:
    """The first onboarding step; returns an auth code for the new user."""
    user = {"name": "Demo", "username": USERNAME, "password": PASSWORD, "language": "en"}
    user["client_id"] = instance.client_id
    result = await request_json(session, "POST", "/api/onboarding/users", json=user)
    return str(result["auth_code"])


async def exchange_code(session: aiohttp.ClientSession, code: str, instance: Instance) -> str:
    form = {"grant_type": "authorization_code", "code": code, "client_id": instance.client_id}
    result = await request_json(session, "POST", "/auth/token", data=form)
    return str(result["access_token"])


async def finish_onboarding(session: aiohttp.ClientSession, token: str, instance: Instance) -> None:
    """The remaining steps, in the order the UI does them."""
    await request_json(session, "POST", "/api/onboarding/core_config", token, json={})
    await request_json(session, "POST", "/api/onboarding/analytics", token, json={})
    integration = {"client_id": instance.client_id, "redirect_uri": f"{instance.base_url}/?auth_callback=1"}
    await request_json(session, "POST", "/api/onboarding/integration", token, json=integration)


async def create_long_lived_token(session: aiohttp.ClientSession, token: str) -> str:
    async with websocket(session, token) as ws:
        result = await ws.command("auth/long_lived_access_token", client_name="scripts/say", lifespan=3650)
    return str(result)


async def onboard(instance: Instance = DEVELOP) -> None:
    async with instance.session() as session:
        steps = await request_json(session, "GET", "/api/onboarding")
        if any(step["step"] == "user" and step["done"] for step in steps):
            raise DemoError("onboarding is already done: scripts/develop recreates the config dir, use it")
        token = await exchange_code(session, await create_user(session, instance), instance)
        await finish_onboarding(session, token, instance)
        long_lived = await create_long_lived_token(session, token)
    instance.token_file.write_text(long_lived + "\n")
    instance.token_file.chmod(0o600)
    print(f"onboarded: user {USERNAME!r}, password {PASSWORD!r}; token for scripts/say in {instance.token_file}")


# ---------------------------------------------------------------- configure


def default_model_path(name: str = DEFAULT_MODEL) -> Path:
    path = assembled_path(load_packaged_models()[name])
    if not path.exists():
        raise DemoError(f"{path} is missing: run scripts/setup")
    return path


async def add_integration(session: aiohttp.ClientSession, token: str, model_path: Path) -> str:
    """Run the config flow like the UI does (the model is loaded to validate it); returns the entry id."""
    flow_path = "/api/config/config_entries/flow"
    menu = await request_json(session, "POST", flow_path, token, json={"handler": INTEGRATION})
    if menu.get("type") != "menu":
        raise DemoError(f"config flow did not offer its menu: {menu}")
    # The model runs here and is on disk already (scripts/setup assembled it): choose "this machine",
    # then "a GGUF file on this machine".
    for step in ("this_machine", "local_file"):
        menu = await request_json(session, "POST", f"{flow_path}/{menu['flow_id']}", token, json={"next_step_id": step})
    form = menu
    if form.get("type") != "form":
        raise DemoError(f"config flow did not offer a form: {form}")
    result = await request_json(
        session, "POST", f"{flow_path}/{form['flow_id']}", token, json={"model_path": str(model_path)}
    )
    if result.get("type") != "create_entry":
        raise DemoError(f"config flow did not create an entry: {result}")
    entry = result["result"]
    if entry.get("state") != "loaded":
        raise DemoError(f"the entry was created but is {entry.get('state')}: {entry.get('reason')}")
    return str(entry["entry_id"])


async def add_speech(session: aiohttp.ClientSession, token: str, entry_id: str, whisper_path: Path) -> None:
    """The options flow's speech step, as the UI runs it: the whisper model folder, then English."""
    flow_path = "/api/config/config_entries/options/flow"
    menu = await request_json(session, "POST", flow_path, token, json={"handler": entry_id})
    steps = [{"next_step_id": "speech"}, {"whisper_model_path": str(whisper_path)}, {"whisper_language": "en"}]
    result = menu
    for answer in steps:
        result = await request_json(session, "POST", f"{flow_path}/{result['flow_id']}", token, json=answer)
        if result.get("errors"):
            raise DemoError(f"the speech settings were refused: {result['errors']}")
    if result.get("type") != "create_entry":
        raise DemoError(f"the speech settings were not saved: {result}")


async def prefer_voice_pipeline(ws: Websocket, agent: str) -> str:
    """Make the pipeline the integration created (our STT + our agent) the preferred one."""
    for _ in range(240):  # the entry reloads with the speech model after the options are saved
        listing = await ws.command("assist_pipeline/pipeline/list")
        for pipeline in listing["pipelines"]:
            if pipeline["stt_engine"] == STT_ENTITY and pipeline["conversation_engine"] == agent:
                await ws.command("assist_pipeline/pipeline/set_preferred", pipeline_id=pipeline["id"])
                return str(pipeline["name"])
        await asyncio.sleep(0.5)
    raise DemoError("the integration did not create its voice pipeline (see the Home Assistant log)")


async def agent_entity(ws: Websocket, entry_id: str) -> str:
    entities = await ws.command("config/entity_registry/list")
    for entity in entities:
        if entity["config_entry_id"] == entry_id and entity["entity_id"].startswith("conversation."):
            return str(entity["entity_id"])
    raise DemoError(f"no conversation entity for config entry {entry_id}")


async def use_agent_in_pipeline(ws: Websocket, agent: str) -> str:
    """Point the preferred Assist pipeline (the one the UI's Assist dialog uses) at the agent."""
    listing = await ws.command("assist_pipeline/pipeline/list")
    preferred = next(p for p in listing["pipelines"] if p["id"] == listing["preferred_pipeline"])
    fields = {key: value for key, value in preferred.items() if key != "id"}
    fields["conversation_engine"] = agent
    await ws.command("assist_pipeline/pipeline/update", pipeline_id=preferred["id"], **fields)
    return str(preferred["name"])


async def remove_network_integrations(session: aiohttp.ClientSession, ws: Websocket, token: str) -> None:
    for entry in await ws.command("config_entries/get"):
        if entry["domain"] in ONBOARDING_NETWORK_INTEGRATIONS:
            await request_json(session, "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}", token)
            print(f"removed onboarding's {entry['domain']} entry (needs the internet)")


async def configure(model_path: Path, whisper_path: Path, instance: Instance = DEVELOP) -> None:
    token = read_token(instance)
    async with instance.session() as session:
        print(f"adding {INTEGRATION} with {model_path} (loads the model to validate it) ...")
        entry_id = await add_integration(session, token, model_path)
        async with websocket(session, token) as ws:
            agent = await agent_entity(ws, entry_id)
            pipeline = await use_agent_in_pipeline(ws, agent)
            await remove_network_integrations(session, ws, token)
            print(f"adding speech-to-text with {whisper_path} ...")
            await add_speech(session, token, entry_id, whisper_path)
            voice_pipeline = await prefer_voice_pipeline(ws, agent)
    instance.agent_file.write_text(agent + "\n")
    print(f"agent {agent} is the conversation agent of the Assist pipeline {pipeline!r}")
    print(f"the preferred Assist pipeline is {voice_pipeline!r}: {STT_ENTITY} (whisper) and {agent}")


# ---------------------------------------------------------------- say


def read_agent(instance: Instance = DEVELOP) -> str:
    return instance.agent_file.read_text().strip() if instance.agent_file.exists() else DEFAULT_AGENT


async def snapshot(session: aiohttp.ClientSession, token: str) -> dict[str, dict[str, Any]]:
    states = await request_json(session, "GET", "/api/states", token)
    return {state["entity_id"]: state for state in states}


def describe_changes(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    """`entity_id: old -> new` for changed states and watched attributes."""
    lines = []
    for entity_id, new in sorted(after.items()):
        old = before.get(entity_id)
        if old is None or entity_id.startswith("conversation."):
            continue
        if old["state"] != new["state"]:
            lines.append(f"{entity_id}: {old['state']} -> {new['state']}")
        for name in WATCHED_ATTRIBUTES:
            was, now = old["attributes"].get(name), new["attributes"].get(name)
            if was != now:
                lines.append(f"{entity_id} {name}: {was} -> {now}")
    return lines


def speech_of(response: dict[str, Any]) -> str:
    speech = response.get("response", {}).get("speech", {})
    return str(speech.get("plain", {}).get("speech", "")).strip()


async def settled_changes(session: aiohttp.ClientSession, token: str, before: dict[str, dict[str, Any]]) -> list[str]:
    """Changes after the reply; state writes are normally done by then, so wait only briefly for late ones."""
    for _ in range(10):
        if changes := describe_changes(before, await snapshot(session, token)):
            return changes
        await asyncio.sleep(0.2)
    return []


async def say_by_voice(text: str, voice: str, expect_change: bool) -> bool:
    """Speak the text with espeak-ng and stream it through the preferred voice pipeline."""
    pcm = await asyncio.to_thread(speak, text, voice)
    token = read_token()
    async with DEVELOP.session() as session:
        before = await snapshot(session, token)
        started = time.monotonic()
        async with websocket(session, token) as ws:
            events = await ws.run_voice_pipeline(pcm)
        elapsed = time.monotonic() - started
        changes = await settled_changes(session, token, before)
    heard = events.get("stt-end", {}).get("stt_output", {}).get("text", "")
    reply = speech_of(events.get("intent-end", {}).get("intent_output", {}))
    print(f"you (espeak-ng {voice}, {len(pcm) / 32000:.1f} s of audio): {text}")
    print(f"heard: {heard or '(nothing)'}")
    if "error" in events:
        print(f"pipeline error: {events['error'].get('code')}: {events['error'].get('message')}")
    print(f"agent: {reply or '(no spoken reply)'}  [{elapsed:.1f} s from the first audio chunk]")
    for line in changes or ["(no state changed)"]:
        print(f"  {line}")
    return bool(heard) and bool(reply) and "error" not in events and (bool(changes) or not expect_change)


async def say(text: str, expect_change: bool) -> bool:
    token, agent = read_token(), read_agent()
    request = {"text": text, "language": "en", "agent_id": agent}
    async with DEVELOP.session() as session:
        before = await snapshot(session, token)
        started = time.monotonic()
        response = await request_json(session, "POST", "/api/conversation/process", token, json=request)
        elapsed = time.monotonic() - started
        changes = await settled_changes(session, token, before)
    reply, kind = speech_of(response), response["response"].get("response_type")
    print(f"you:   {text}")
    print(f"agent: {reply or '(no spoken reply)'}  [{kind}, {elapsed:.1f} s]")
    for line in changes or ["(no state changed)"]:
        print(f"  {line}")
    # An error answer ("Sorry, ...") is spoken too, but it is not a working reply.
    return bool(reply) and kind != "error" and (bool(changes) or not expect_change)


# ---------------------------------------------------------------- call


async def call_service(service: str, entity_id: str) -> None:
    domain, _, name = service.partition(".")
    token = read_token()
    async with DEVELOP.session() as session:
        await request_json(session, "POST", f"/api/services/{domain}/{name}", token, json={"entity_id": entity_id})
        state = await request_json(session, "GET", f"/api/states/{entity_id}", token)
    print(f"{service} {entity_id}: now {state['state']}")


# ---------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="recreate the config dir")
    wait_parser = sub.add_parser("wait", help="wait until Home Assistant answers")
    wait_parser.add_argument("--timeout", type=float, default=300)
    wait_parser.add_argument("--pid", type=int, help="fail at once if this process (Home Assistant) exits")
    sub.add_parser("onboard", help="complete onboarding, save a long-lived token")
    configure_parser = sub.add_parser("configure", help="add the integration, make it the Assist agent")
    configure_parser.add_argument("--model-path", type=Path, help=f"default: the assembled {DEFAULT_MODEL}")
    configure_parser.add_argument("--whisper-path", type=Path, help=f"default: the assembled {DEFAULT_WHISPER}")
    say_parser = sub.add_parser("say", help="talk to the agent")
    say_parser.add_argument("text", nargs="+")
    say_parser.add_argument("--voice", help="speak it with this espeak-ng voice (e.g. en-us) through the pipeline")
    say_parser.add_argument("--expect-change", action="store_true", help="exit 1 unless some state changed")
    call_parser = sub.add_parser("call", help="call a service on one entity")
    call_parser.add_argument("service", help="domain.service, e.g. lock.unlock")
    call_parser.add_argument("entity_id")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    if args.command == "prepare":
        prepare()
    elif args.command == "wait":
        await wait(args.timeout, args.pid)
    elif args.command == "onboard":
        await onboard()
    elif args.command == "configure":
        await configure(
            args.model_path or default_model_path(), args.whisper_path or default_model_path(DEFAULT_WHISPER)
        )
    elif args.command == "say" and args.voice:
        return 0 if await say_by_voice(" ".join(args.text), args.voice, args.expect_change) else 1
    elif args.command == "say":
        return 0 if await say(" ".join(args.text), args.expect_change) else 1
    elif args.command == "call":
        await call_service(args.service, args.entity_id)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return asyncio.run(run(parse_args(argv)))
    except DemoError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except aiohttp.ClientConnectionError as err:
        where = DEVELOP.base_url
        print(f"error: cannot reach Home Assistant on {where} ({err}): is scripts/develop running?", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
