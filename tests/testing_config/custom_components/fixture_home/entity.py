"""Shared pieces of the fixture_home platforms: the entity spec and the base entity.

Every fixture entity is described by one EntitySpec (built from the validated YAML in
__init__.py) and lives purely in memory: services change attributes on the object and
write the new state, so tests observe exactly what Home Assistant's own services did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import DiscoveryInfoType

DOMAIN = "fixture_home"
# The assistant whose exposure settings the local LLM agent reads.
CONVERSATION_ASSISTANT = "conversation"
# Key under which __init__.py hands a platform its specs through discovery_info.
DISCOVERY_SPECS = "specs"
# hass.data[DOMAIN][ENTITIES]: the live fixture entities by entity id, for the reset service.
ENTITIES = "entities"


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """One entity of the fixture home, already validated."""

    domain: str
    object_id: str
    name: str
    state: str
    area_id: str | None = None
    aliases: frozenset[str] = frozenset()
    exposed: bool = True
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def entity_id(self) -> str:
        """Return the entity id the spec asks for."""
        return f"{self.domain}.{self.object_id}"

    @property
    def unique_id(self) -> str:
        """Return a stable unique id, so the entity lands in the entity registry."""
        return f"{DOMAIN}_{self.domain}_{self.object_id}"


def registry_aliases(extra: frozenset[str]) -> Any:
    """The entity's aliases as Home Assistant's UI stores them.

    Since 2026.x aliases are a list whose entries may be `er.COMPUTED_NAME`, the entity's own
    name; a new entity starts with just that, and the UI keeps it when aliases are added. Without
    it the entity has no name to be matched by. Before, aliases were a set of strings.
    """
    computed_name = getattr(er, "COMPUTED_NAME", None)
    if computed_name is None:
        return set(extra)
    return [computed_name, *sorted(extra)]


class FixtureEntity(Entity):
    """Base for all fixture entities: identity, registry metadata and exposure."""

    # State only changes through our own service handlers, which write it themselves.
    _attr_should_poll = False

    def __init__(self, spec: EntitySpec) -> None:
        """Take identity and name from the spec."""
        self._spec = spec
        # Setting entity_id up front makes the platform register exactly this id
        # instead of one derived from the (long, free-form) name.
        self.entity_id = spec.entity_id
        self._attr_unique_id = spec.unique_id
        self._attr_name = spec.name

    async def async_added_to_hass(self) -> None:
        """Put area, aliases and exposure on the registry entry once it exists."""
        await super().async_added_to_hass()
        er.async_get(self.hass).async_update_entity(
            self.entity_id,
            area_id=self._spec.area_id,
            aliases=registry_aliases(self._spec.aliases),
        )
        # Set explicitly for every entity: HA's defaults differ per domain (locks,
        # for one, are never exposed by default) and tests need a known answer.
        async_expose_entity(
            self.hass,
            CONVERSATION_ASSISTANT,
            self.entity_id,
            self._spec.exposed,
        )
        live: dict[str, FixtureEntity] = self.hass.data.setdefault(DOMAIN, {}).setdefault(ENTITIES, {})
        live[self.entity_id] = self
        self.async_on_remove(lambda: live.pop(self.entity_id, None))

    @callback
    def async_reset(self, state: str | None = None) -> None:
        """Go back to the spec's state, or to `state` (an evaluation runs many cases on one home)."""
        spec = self._spec
        # Every platform's __init__ only derives attributes from the spec, so running it again restores them.
        type(self).__init__(self, replace(spec, state=state) if state is not None else spec)
        self._spec = spec
        self.async_write_ha_state()


def add_fixture_entities(
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None,
    factory: Callable[[EntitySpec], Entity],
) -> None:
    """Create one entity per spec handed over by __init__.py."""
    # Without discovery_info the platform was listed in YAML by hand; nothing to do.
    if discovery_info is None:
        return
    specs: Iterable[EntitySpec] = discovery_info[DISCOVERY_SPECS]
    async_add_entities([factory(spec) for spec in specs])
