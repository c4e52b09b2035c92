"""Fixture weather: current conditions and a daily forecast that starts today."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.components.weather import Forecast, WeatherEntity, WeatherEntityFeature
from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType
from homeassistant.util import dt as dt_util

from .entity import EntitySpec, FixtureEntity, add_fixture_entities


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """Add the home's weather entities."""
    add_fixture_entities(async_add_entities, discovery_info, FixtureWeather)


class FixtureWeather(FixtureEntity, WeatherEntity):
    """Weather in °C; day N of the `forecast` list is N days after today (local time)."""

    _attr_native_temperature_unit = UnitOfTemperature.CELSIUS

    def __init__(self, spec: EntitySpec) -> None:
        """Condition from the state; temperature and forecast from the attributes."""
        super().__init__(spec)
        self._attr_condition = spec.state
        self._attr_native_temperature = spec.attributes.get("temperature")
        self._days: list[dict[str, Any]] = list(spec.attributes.get("forecast", []))
        if self._days:
            self._attr_supported_features = WeatherEntityFeature.FORECAST_DAILY

    async def async_forecast_daily(self) -> list[Forecast] | None:
        """The configured days, dated from today."""
        today = dt_util.start_of_local_day()
        return [
            Forecast(
                datetime=(today + timedelta(days=index)).isoformat(),
                condition=day["condition"],
                native_temperature=day["temperature"],
                native_templow=day.get("templow"),
            )
            for index, day in enumerate(self._days)
        ]
