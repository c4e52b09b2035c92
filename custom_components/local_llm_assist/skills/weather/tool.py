"""Weather: current conditions and the forecast from the home's weather entity, spoken briefly."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from ...engine.data import ToolExample
from ...spoken import async_sentence
from ..base import Skill, SkillOrigin, SkillReply

WEATHER = "weather"
ASSISTANT = "conversation"
PERIODS = ["now", "today", "tomorrow", "week"]
# Home Assistant's condition ids that are not already words.
_CONDITION_WORDS = {
    "clear-night": "clear",
    "partlycloudy": "partly cloudy",
    "lightning-rainy": "stormy with rain",
    "snowy-rainy": "sleet",
    "windy-variant": "windy and cloudy",
    "exceptional": "exceptional weather",
}


def exposed_weather(hass: HomeAssistant) -> State | None:
    """The first weather entity exposed to Assist."""
    exposed = [s for s in hass.states.async_all(WEATHER) if async_should_expose(hass, ASSISTANT, s.entity_id)]
    return min(exposed, key=lambda s: s.entity_id) if exposed else None


def condition_words(condition: str | None) -> str:
    return _CONDITION_WORDS.get(condition or "", (condition or "unknown").replace("-", " "))


def _degrees(value: Any) -> str:
    return str(round(float(value))) + "°"


class GetWeatherSkill(Skill):
    name = "GetWeather"
    examples = (ToolExample(name, "will it rain tomorrow?", {"when": "tomorrow"}),)
    feature = "weather"
    description = "Tells the weather outside: now, today, tomorrow or this week (forecast, rain, temperature)."
    parameters = vol.Schema({vol.Optional("when", default="now", description="which period"): vol.In(PERIODS)})

    def is_available(self, hass: HomeAssistant) -> bool:
        return exposed_weather(hass) is not None

    async def async_run(self, hass: HomeAssistant, arguments: dict[str, Any], origin: SkillOrigin) -> SkillReply:
        state = exposed_weather(hass)
        if state is None:
            return await self.async_fail(hass, origin, "weather_no_entity")
        if state.state in ("unavailable", "unknown"):
            return await self.async_fail(hass, origin, "weather_unavailable", name=state.name)
        when = arguments["when"]
        if when == "now":
            return await self._current(hass, origin, state)
        try:
            forecast = await _daily_forecast(hass, state.entity_id)
        except HomeAssistantError:
            forecast = []
        days = {"today": forecast[:1], "tomorrow": forecast[1:2], "week": forecast[:7]}[when]
        if not days:
            return await self.async_fail(hass, origin, "weather_no_forecast", name=state.name)
        parts = [_day_summary(day) for day in days]
        speech = await async_sentence(hass, origin.language, f"weather_{when}", forecast="; ".join(parts))
        return SkillReply(speech, {"entity_id": state.entity_id, "when": when, "forecast": days})

    async def _current(self, hass: HomeAssistant, origin: SkillOrigin, state: State) -> SkillReply:
        temperature = state.attributes.get("temperature")
        unit = state.attributes.get("temperature_unit", "")
        speech = await async_sentence(
            hass,
            origin.language,
            "weather_now",
            condition=condition_words(state.state),
            temperature=f"{_degrees(temperature)}{unit[-1:]}" if temperature is not None else "?",
        )
        data = {"entity_id": state.entity_id, "condition": state.state, "temperature": temperature, "unit": unit}
        return SkillReply(speech, data)


async def _daily_forecast(hass: HomeAssistant, entity_id: str) -> list[dict[str, Any]]:
    response = await hass.services.async_call(
        WEATHER, "get_forecasts", {"entity_id": entity_id, "type": "daily"}, blocking=True, return_response=True
    )
    forecast = (response or {}).get(entity_id, {})
    days = forecast.get("forecast") if isinstance(forecast, dict) else None
    return [day for day in days if isinstance(day, dict)] if isinstance(days, list) else []


def _day_summary(day: dict[str, Any]) -> str:
    """ "Monday: sunny, 14° to 6°"."""
    parsed = dt_util.parse_datetime(str(day.get("datetime", "")))
    label = parsed.strftime("%A") if parsed else ""
    high, low = day.get("temperature"), day.get("templow")
    temperatures = " to ".join(_degrees(value) for value in (high, low) if value is not None)
    return ", ".join(part for part in (f"{label}: {condition_words(day.get('condition'))}", temperatures) if part)
