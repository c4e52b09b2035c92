"""What the home offers a call to target: devices, and the names of areas and floors."""

from __future__ import annotations

from dataclasses import dataclass

from .data import Device

# Devices that only report: no tool acts on them, though questions about them are answered.
READ_ONLY_DOMAINS = {"sensor", "binary_sensor", "weather", "event", "image", "camera"}


@dataclass(frozen=True)
class HomeNames:
    """The exposed devices and the names of areas and floors, as the model may name them."""

    devices: list[Device]
    areas: list[str]
    floors: list[str]

    def device_names(self, domains: set[str]) -> list[str]:
        return sorted({name for d in self.devices if d.domain in domains for name in (d.name, *d.aliases)})

    def names_one_device(self, name: str) -> bool:
        """Whether `name` (a device's name or alias) belongs to one device alone and to no area."""
        carriers = [d for d in self.devices if name == d.name or name in d.aliases]
        return len(carriers) == 1 and name not in self.areas

    def device_named(self, name: str) -> Device | None:
        return next((d for d in self.devices if name == d.name or name in d.aliases), None)

    @property
    def domains(self) -> set[str]:
        return {device.domain for device in self.devices} - READ_ONLY_DOMAINS
