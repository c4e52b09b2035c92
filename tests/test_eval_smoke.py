"""The smoke tier (evals/suites/smoke.yaml) on the default model: every case must pass.

Runs our agent with every request answered by the model (no local matcher), through Home
Assistant's conversation API, on the evaluation homes. A failing case fails CI with its reason.
"""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.local_llm_assist.const import CONF_REQUEST_TIMEOUT
from toolkit.evaluation.cases import Case, load_suite
from toolkit.evaluation.report import case_record
from toolkit.evaluation.runner import AgentConfig, async_start_agent, home_with_feeds, run_cases
from toolkit.models import DEFAULT_LLM

SMOKE = load_suite("smoke").cases
# The test machine is shared: a slow turn is not what this test is about (benchmarks measure speed).
PATIENT = {CONF_REQUEST_TIMEOUT: 600}


def cases_in(home: str) -> list[Case]:
    return [case for case in SMOKE if case.home.key == home]


@pytest.mark.parametrize("home", sorted({case.home.key for case in SMOKE}))
async def test_smoke_tier_passes_on_the_default_model(hass: HomeAssistant, socket_enabled: None, home: str) -> None:
    cases = cases_in(home)
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    async with home_with_feeds(cases[0].home, AgentConfig("llm", DEFAULT_LLM, PATIENT)) as (description, config):
        assert await async_setup_component(hass, "fixture_home", {"fixture_home": description})
        await hass.async_block_till_done()
        agent = await async_start_agent(hass, config)
        try:
            results = await run_cases(hass, agent, cases)
        finally:
            for entry in hass.config_entries.async_entries("local_llm_assist"):
                await hass.config_entries.async_unload(entry.entry_id)
    failures = [case_record(result) for result in results if not result.verdict.passed]
    assert len(results) == len(cases)
    assert not failures, "\n".join(
        f"{f['id']}: {f['outcome']} ({f['detail']}); reply {f.get('reply')!r}" for f in failures
    )
