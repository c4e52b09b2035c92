"""A real Home Assistant in-process with a fixture home and our agent: for benchmarks and evals.

The same pieces the tests use (Home Assistant's own test harness from
pytest-homeassistant-custom-component, the fixture_home integration, a config entry of ours),
so what is measured is what ships.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTING_CONFIG = REPO_ROOT / "tests" / "testing_config"
HOMES_DIR = REPO_ROOT / "tests" / "homes"
BUILTIN_AGENT = "conversation.home_assistant"
OUR_AGENT = "conversation.local_llm_assist"

# custom_components is a namespace package: the repo's and the fixture home's folders merge.
for path in (str(TESTING_CONFIG), str(REPO_ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)
from homeassistant import loader  # noqa: E402
from homeassistant.core import HomeAssistant  # noqa: E402
from homeassistant.helpers import frame  # noqa: E402
from homeassistant.setup import async_setup_component  # noqa: E402
from homeassistant.util.yaml import load_yaml_dict  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)

import custom_components  # noqa: E402,F401  (import before Home Assistant's loader looks for it)
from custom_components.local_llm_assist.config_flow import default_options  # noqa: E402
from custom_components.local_llm_assist.const import DOMAIN  # noqa: E402
from toolkit.engine_choice import WORKER, EngineChoice  # noqa: E402


@asynccontextmanager
async def running_home(home: str | Path | Mapping[str, Any] = "basic") -> AsyncIterator[HomeAssistant]:
    """Home Assistant with the conversation stack and a fixture home, stopped on exit.

    `home` is a fixture home: a name in tests/homes, a YAML file, or the description itself.
    """
    description = dict(home) if isinstance(home, Mapping) else load_yaml_dict(home_path(home))
    with tempfile.TemporaryDirectory(prefix="lla-home-") as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            frame.async_setup(hass)  # as Home Assistant's bootstrap does: its HTTP client helpers need it
            for component in ("homeassistant", "conversation", "intent"):
                await async_setup_component(hass, component, {})
            if not await async_setup_component(hass, "fixture_home", {"fixture_home": description}):
                raise RuntimeError("the fixture home did not set up: see the log for what it rejected")
            await hass.async_block_till_done()
            try:
                yield hass
            finally:
                await hass.async_stop(force=True)


def home_path(home: str | Path) -> Path:
    return Path(home) if Path(home).suffix else HOMES_DIR / f"{home}.yaml"


async def add_agent(
    hass: HomeAssistant, model_path: Path, *, engine: EngineChoice = WORKER, **options: Any
) -> MockConfigEntry:
    """Configure our agent on a model (in the worker, or on the `engine` server); raises if it does not load."""
    entry = MockConfigEntry(
        domain=DOMAIN, title="Local LLM Assist", data=engine.entry_data(model_path), options=default_options()
    )
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={**entry.options, **options})
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"the agent did not load on {engine.label() if engine.on_server else model_path}")
    await hass.async_block_till_done()
    return entry
