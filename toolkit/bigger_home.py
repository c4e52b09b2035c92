"""A bigger home for the benchmarks: the test home plus a floor of rooms with ordinary devices.

Real homes expose far more than the test home's 15 exposed devices, and every exposed device adds to
the prompt and to the grammar the decoder checks each token against. The benchmark's requests
still target the test home's devices, so the same requests can be timed on both homes.
"""

from __future__ import annotations

from typing import Any

from homeassistant.util.yaml import load_yaml_dict

from toolkit.harness import home_path

EXTRA_FLOOR = {"id": "basement", "name": "Basement"}
EXTRA_ROOMS = (
    ("guest_room", "Guest Room", "upstairs"),
    ("nursery", "Nursery", "upstairs"),
    ("bathroom", "Bathroom", "upstairs"),
    ("dining_room", "Dining Room", "ground"),
    ("laundry", "Laundry", "basement"),
    ("workshop", "Workshop", "basement"),
    ("cinema", "Cinema", "basement"),
    ("patio", "Patio", "ground"),
    ("study", "Study", "upstairs"),
    ("pantry", "Pantry", "ground"),
)


def room_devices(area_id: str, area_name: str) -> list[dict[str, Any]]:
    """A ceiling light, a lamp, a socket, blinds and a temperature sensor, named after the room."""
    return [
        {"domain": "light", "id": f"{area_id}_ceiling", "name": f"{area_name} Ceiling", "area": area_id,
         "state": "off", "attributes": {"dimmable": True}},
        {"domain": "light", "id": f"{area_id}_lamp", "name": f"{area_name} Lamp", "area": area_id, "state": "on",
         "attributes": {"brightness": 120}},
        {"domain": "switch", "id": f"{area_id}_socket", "name": f"{area_name} Socket", "area": area_id,
         "state": "off"},
        {"domain": "cover", "id": f"{area_id}_blinds", "name": f"{area_name} Blinds", "area": area_id,
         "state": "open", "attributes": {"device_class": "blind", "position": 100}},
        {"domain": "sensor", "id": f"{area_id}_temperature", "name": f"{area_name} Temperature", "area": area_id,
         "state": "20.5", "attributes": {"unit_of_measurement": "°C", "device_class": "temperature"}},
    ]  # fmt: skip


def bigger_home(base: str = "basic") -> dict[str, Any]:
    """The `base` fixture home plus a basement floor and ten rooms of five devices each."""
    home = load_yaml_dict(home_path(base))
    home["floors"] = [*home["floors"], EXTRA_FLOOR]
    home["areas"] = [*home["areas"], *({"id": i, "name": n, "floor": f} for i, n, f in EXTRA_ROOMS)]
    home["entities"] = [*home["entities"], *(d for i, n, _ in EXTRA_ROOMS for d in room_devices(i, n))]
    return home
