"""A real Home Assistant for the browser tests, started the way scripts/develop starts the demo.

The demo's own steps (toolkit/demo.py: prepare, wait, onboard) run against an instance of its
own: a fresh config dir and a free port on 127.0.0.1, so the tests never meet a developer's
`scripts/develop` on 8123. The one difference from the demo: the integration is copied rather
than linked, with its model catalog pointing at a publisher on 127.0.0.1 (the real publishers
cannot be reached from a test machine).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from toolkit import demo

from ..helpers import free_port

HASS = Path(sys.executable).with_name("hass")
START_LIMIT_S = 240
STOP_LIMIT_S = 60
T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a demo step (toolkit/demo.py is asynchronous) from a synchronous fixture, on a loop of its own.

    Not asyncio.run: that would also unset the loop Home Assistant's test plugin keeps as this thread's current one.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


@dataclass
class RunningHome:
    instance: demo.Instance
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def token(self) -> str:
        return demo.read_token(self.instance)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def point_catalog_at(component: Path, publisher_url: str) -> None:
    """Replace the linked integration by a copy whose catalog downloads every model from the publisher."""
    source = component.resolve()
    component.unlink()
    shutil.copytree(source, component, ignore=shutil.ignore_patterns("__pycache__"))
    catalog_file = component / "catalog.json"
    catalog = json.loads(catalog_file.read_text())
    for model in catalog["models"]:
        if model["role"] == "llm":
            model["url"] = f"{publisher_url}/{model['file']}"
    catalog_file.write_text(json.dumps(catalog, indent=2))


async def _onboard(instance: demo.Instance) -> None:
    await demo.onboard(instance)
    token = demo.read_token(instance)
    async with instance.session() as session, demo.websocket(session, token) as ws:
        await demo.remove_network_integrations(session, ws, token)


def start_home(config_dir: Path, publisher_url: str) -> RunningHome:
    """Home Assistant with the demo home and its frontend, onboarded (user demo), nothing else set up."""
    instance = demo.Instance(config_dir=config_dir, port=free_port())
    demo.prepare(instance)
    point_catalog_at(config_dir / "custom_components" / demo.INTEGRATION, publisher_url)
    log = config_dir / "console.log"
    # As a user's Home Assistant: the integration comes from the config dir, not from this checkout.
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(HASS), "-c", str(config_dir), "--skip-pip"],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=config_dir,
            env=environment,
        )
    home = RunningHome(instance, process, log)
    try:
        run_async(demo.wait(START_LIMIT_S, process.pid, instance))
        run_async(_onboard(instance))
    except BaseException:
        stop_home(home)
        print(home.log_tail(), file=sys.stderr)
        raise
    return home


def stop_home(home: RunningHome) -> None:
    home.process.terminate()
    try:
        home.process.wait(STOP_LIMIT_S)
    except subprocess.TimeoutExpired:
        home.process.kill()
        home.process.wait()
