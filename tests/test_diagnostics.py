"""The diagnostics download describes the model and worker, without what people said."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from toolkit.models import DEFAULT_LLM

from .helpers import ask


async def test_diagnostics_report_worker_and_generations_but_no_text(
    home: HomeAssistant, agent: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    assert await async_setup_component(home, "diagnostics", {})
    secret_request = "what is the capital of France?"
    await ask(home, secret_request)

    diagnostics = await get_diagnostics_for_config_entry(home, hass_client, agent)

    assert diagnostics["data"]["model_path"] == str(DEFAULT_LLM)
    assert diagnostics["worker"]["running"] is True
    assert diagnostics["worker"]["restarts"] == 0
    assert diagnostics["generations"]["count"] == 1
    recent = diagnostics["generations"]["recent"][0]
    assert recent["prompt_tokens"] > 0 and recent["completion_tokens"] > 0
    assert "France" not in str(diagnostics) and "Paris" not in str(diagnostics)
