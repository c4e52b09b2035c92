"""Browser tests: Debian's Chromium, driven by Playwright, against a real Home Assistant with its frontend.

One Home Assistant (its own process, config dir and port), one publisher and one browser serve the
whole run (starting them is most of the cost). The tests need `chromium` and Home Assistant's
frontend package (scripts/setup installs both); without Chromium they are skipped, and say so.

Home Assistant's test plugin still wraps every test (its autouse fixtures, e.g. verify_cleanup,
check the test's thread, loops and threads afterwards): these tests leave it nothing to object to
rather than switching it off, by driving the browser from a thread of its own (browser_thread.py).
"""

from __future__ import annotations

import importlib.util
import inspect
import shutil
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from toolkit import demo
from toolkit.models import DEFAULT_LLM, FAST_WHISPER, SMOKE_LLM
from toolkit.speech import SAMPLE_RATE, speak

from ..helpers import free_port
from ..servers import sockets_enabled
from .home_assistant import RunningHome, run_async, start_home, stop_home
from .screen import STEP_LIMIT_MS

if TYPE_CHECKING:  # playwright may be missing (the test modules then skip): imported where it is used
    from playwright.sync_api import Browser, Page

    from .browser_thread import BrowserThread

CHROMIUM = shutil.which("chromium")
PUBLISHER_RATE_MB = 16  # the 98 MB test model downloads for about six seconds
# What the fake microphone says: Chromium plays the file, in a loop, as the microphone's input.
SPOKEN_COMMAND = "turn on the kitchen lights"
LOCK = "lock.front_door"  # not exposed to Assist in the conversation tests


def require_chromium() -> str:
    if CHROMIUM is None:
        pytest.skip("no chromium: scripts/setup installs it (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Home Assistant runs in its own process here: no in-process test instance to configure."""


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """A browser test's body runs in the browser's thread, where its page lives (see browser_thread.py)."""
    thread = cast("BrowserThread | None", pyfuncitem.funcargs.get("browser_thread"))
    if thread is None:
        return None  # not a browser test: pytest calls it as usual
    parameters = inspect.signature(pyfuncitem.obj).parameters
    thread.run(pyfuncitem.obj, **{name: pyfuncitem.funcargs[name] for name in parameters})
    return True


@pytest.fixture(scope="session")
def publisher() -> Iterator[str]:
    """The model publisher on 127.0.0.1 the catalog points at; serves the real SmolLM2 file."""
    with sockets_enabled():
        port = free_port()
    command = [sys.executable, "-m", "tests.ui.publisher", "--port", str(port), "--rate-mb", str(PUBLISHER_RATE_MB)]
    process = subprocess.Popen([*command, str(SMOKE_LLM)], cwd=Path(__file__).resolve().parents[2])
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session")
def home(publisher: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHome]:
    require_chromium()
    if importlib.util.find_spec("hass_frontend") is None:
        pytest.fail("Home Assistant's frontend package is missing: run scripts/setup")
    with sockets_enabled():
        running = start_home(tmp_path_factory.mktemp("ha-config"), publisher)
    yield running
    stop_home(running)


@pytest.fixture(scope="session")
def microphone_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spoken command as a WAV file, with a second of silence after it so voice detection ends it."""
    pcm = speak(SPOKEN_COMMAND, pad_seconds=1.0)
    path = tmp_path_factory.mktemp("microphone") / "command.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm)
    return path


@pytest.fixture(scope="session")
def browser_thread() -> Iterator[BrowserThread]:
    require_chromium()
    from .browser_thread import BrowserThread

    thread = BrowserThread()
    yield thread
    thread.stop()


@pytest.fixture(scope="session")
def browser(browser_thread: BrowserThread, home: RunningHome, microphone_file: Path) -> Iterator[Browser]:
    arguments = [
        "--use-fake-ui-for-media-stream",  # grant the microphone without the permission prompt
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone_file}",
    ]
    launch = browser_thread.playwright.chromium.launch
    chromium = browser_thread.run(launch, executable_path=require_chromium(), args=arguments)
    yield chromium
    browser_thread.run(chromium.close)


def _log_in(browser: Browser, home: RunningHome) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(STEP_LIMIT_MS)
    tab = context.new_page()
    tab.goto(home.instance.base_url)
    tab.get_by_role("textbox", name="Username").fill(demo.USERNAME)
    tab.get_by_role("textbox", name="Password").fill(demo.PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url("**/lovelace/**")
    tab.get_by_text("Kitchen", exact=True).wait_for()  # the Overview shows the demo home
    return tab


@pytest.fixture(scope="session")
def page(browser_thread: BrowserThread, browser: Browser, home: RunningHome) -> Iterator[Page]:
    """A tab in which the demo user has logged in through Home Assistant's login page."""
    tab = browser_thread.run(_log_in, browser, home)
    yield tab
    browser_thread.run(tab.context.close)


async def _ensure_assistant(instance: demo.Instance) -> str:
    """Our entry (added through the API if no earlier test added it in the browser); its agent entity."""
    token = demo.read_token(instance)
    async with instance.session() as session, demo.websocket(session, token) as ws:
        entries = await ws.command("config_entries/get", domain=demo.INTEGRATION)
        entry_id = entries[0]["entry_id"] if entries else await demo.add_integration(session, token, DEFAULT_LLM)
        return await demo.agent_entity(ws, entry_id)


async def _ensure_voice(instance: demo.Instance, agent: str) -> None:
    """Speech-to-text on (as the options test sets it), its pipeline preferred, the front door not exposed."""
    token = demo.read_token(instance)
    async with instance.session() as session, demo.websocket(session, token) as ws:
        if demo.STT_ENTITY not in await demo.snapshot(session, token):
            entries = await ws.command("config_entries/get", domain=demo.INTEGRATION)
            await demo.add_speech(session, token, entries[0]["entry_id"], FAST_WHISPER)
        await demo.prefer_voice_pipeline(ws, agent)
        await ws.command(
            "homeassistant/expose_entity", assistants=["conversation"], entity_ids=[LOCK], should_expose=False
        )


@pytest.fixture
def assistant(home: RunningHome, socket_enabled: None) -> str:
    return run_async(_ensure_assistant(home.instance))


@pytest.fixture
def voice_assistant(home: RunningHome, assistant: str) -> str:
    run_async(_ensure_voice(home.instance, assistant))
    return assistant
