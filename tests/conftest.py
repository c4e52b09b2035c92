"""Shared pytest fixtures: a real Home Assistant, the fixture home, our agent on a real model, a model server."""

from collections.abc import AsyncIterator, Iterator

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from hypothesis import HealthCheck, settings
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Import the namespace package now, while sys.path holds only the repo root and
# tests/testing_config (pyproject's pythonpath). Otherwise Home Assistant's loader
# imports `custom_components` itself with the test plugin's config dir first on
# sys.path, finds that dir's regular package, and neither of ours is visible.
import custom_components  # noqa: F401
from toolkit.models import DEFAULT_LLM

from .helpers import async_setup_agent, async_setup_home
from .servers import SERVER_API_KEY, LlamaServer, sockets_enabled, start_llama_server

# Fuzzing profiles (tests/engine/test_fuzz.py): a quick one for scripts/test, a long one for scripts/stress.
# Every test here gets Home Assistant's function-scoped fixtures; the fuzzed code never touches them.
_FUZZ = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
settings.register_profile("quick", max_examples=150, **_FUZZ)
settings.register_profile("stress", max_examples=2000, **_FUZZ)
settings.load_profile("quick")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load integrations from custom_components in every test."""


@pytest.fixture
async def home(hass: HomeAssistant) -> HomeAssistant:
    """Home Assistant with the test home (tests/homes/basic.yaml) set up."""
    await async_setup_home(hass)
    return hass


@pytest.fixture
async def agent(home: HomeAssistant) -> AsyncIterator[MockConfigEntry]:
    """Our agent on the default model, every request answered by the model (no local matcher)."""
    entry = await async_setup_agent(home, prefer_local_intents=False)
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        await home.config_entries.async_unload(entry.entry_id)


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """llama-cpp-python's server with the default model on 127.0.0.1, shared by the whole run.

    It checks an API key, so every engine test also proves the key is sent (and a wrong one refused).
    """
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with sockets_enabled():
        server = start_llama_server(DEFAULT_LLM, log, api_key=SERVER_API_KEY)
    yield server
    server.kill()
