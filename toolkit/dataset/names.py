"""Word banks for synthetic homes: places, device names and the aliases people give them."""

from __future__ import annotations

# Floors, lowest first; a home takes a run of them.
FLOORS = (
    ("basement", "Basement", ("cellar",)),
    ("ground", "Ground Floor", ("downstairs",)),
    ("first", "First Floor", ("upstairs",)),
    ("second", "Second Floor", ()),
    ("attic_floor", "Top Floor", ("loft level",)),
)

# Areas: (id, name, aliases). Ids double as fixture_home area ids.
AREAS = (
    ("kitchen", "Kitchen", ()),
    ("living_room", "Living Room", ("lounge",)),
    ("dining_room", "Dining Room", ()),
    ("bedroom", "Bedroom", ()),
    ("master_bedroom", "Master Bedroom", ("main bedroom",)),
    ("guest_room", "Guest Room", ()),
    ("office", "Office", ("study",)),
    ("bathroom", "Bathroom", ()),
    ("hallway", "Hallway", ("hall",)),
    ("garage", "Garage", ()),
    ("laundry_room", "Laundry Room", ("utility room",)),
    ("kids_room", "Kids Room", ()),
    ("nursery", "Nursery", ("baby room",)),
    ("den", "Den", ()),
    ("playroom", "Playroom", ()),
    ("gym", "Gym", ()),
    ("porch", "Porch", ()),
    ("patio", "Patio", ()),
    ("garden", "Garden", ("backyard",)),
    ("sunroom", "Sunroom", ()),
    ("entryway", "Entryway", ("foyer",)),
    ("cellar_room", "Wine Cellar", ()),
)

# Device names per domain. "{area}" is replaced by the area's name; a name without it is used once
# per home. Each entry: (name pattern, aliases, attributes).
DEVICE_NAMES: dict[str, tuple[tuple[str, tuple[str, ...], dict[str, object]], ...]] = {
    "light": (
        ("{area} Light", (), {"dimmable": True}),
        ("{area} Lamp", (), {"color": True}),
        ("{area} Ceiling Light", ("big light",), {"dimmable": True}),
        ("{area} Spotlights", (), {"dimmable": True}),
        ("Desk Lamp", ("work lamp",), {}),
        ("Floor Lamp", ("standing lamp",), {"color": True}),
        ("Reading Lamp", ("book light",), {"dimmable": True}),
        ("Chandelier", (), {"dimmable": True}),
        ("Fairy Lights", ("string lights",), {}),
        ("Night Light", (), {"color": True}),
        ("LED Strip", ("light strip",), {"color": True}),
        ("Pendant Lights", (), {"dimmable": True}),
    ),
    "switch": (
        ("Coffee Maker", ("coffee machine",), {}),
        ("Kettle", (), {"device_class": "outlet"}),
        ("Dehumidifier", (), {"device_class": "outlet"}),
        ("Christmas Tree", ("tree lights",), {"device_class": "outlet"}),
        ("Printer", (), {}),
        ("Fountain Pump", (), {}),
        ("Electric Blanket", (), {"device_class": "outlet"}),
        ("Towel Warmer", (), {}),
        ("Space Heater", (), {"device_class": "outlet"}),
        ("Monitor Plug", (), {"device_class": "outlet"}),
    ),
    "fan": (
        ("{area} Fan", (), {}),
        ("Ceiling Fan", (), {}),
        ("Desk Fan", (), {}),
        ("Tower Fan", (), {}),
        ("Extractor Fan", ("vent",), {}),
    ),
    "lock": (
        ("Front Door", ("main door",), {}),
        ("Back Door", (), {}),
        ("Side Door", (), {}),
        ("Patio Door", (), {}),
        ("Shed Lock", (), {}),
    ),
    "cover": (
        ("Garage Door", (), {"device_class": "garage"}),
        ("{area} Blinds", (), {"device_class": "blind"}),
        ("{area} Curtains", (), {"device_class": "curtain"}),
        ("{area} Shutters", (), {"device_class": "shutter"}),
        ("Skylight", ("roof window",), {"device_class": "window"}),
        ("Driveway Gate", ("gate",), {"device_class": "gate"}),
    ),
    "climate": (
        ("Thermostat", ("heating",), {}),
        ("{area} Thermostat", (), {}),
        ("Heat Pump", (), {}),
        ("Air Conditioner", ("AC",), {}),
    ),
    "media_player": (
        ("{area} Speaker", (), {"device_class": "speaker"}),
        ("{area} TV", ("telly",), {"device_class": "tv"}),
        ("Soundbar", (), {"device_class": "speaker"}),
        ("Record Player", (), {"device_class": "receiver"}),
    ),
    "sensor": (
        ("{area} Temperature", (), {"unit_of_measurement": "°C", "device_class": "temperature"}),
        ("{area} Humidity", (), {"unit_of_measurement": "%", "device_class": "humidity"}),
        ("Outdoor Temperature", (), {"unit_of_measurement": "°C", "device_class": "temperature"}),
        ("Power Usage", (), {"unit_of_measurement": "W", "device_class": "power"}),
    ),
    "binary_sensor": (
        ("{area} Window", (), {"device_class": "window"}),
        ("{area} Motion", (), {"device_class": "motion"}),
    ),
}

# What people call a user's script; (object id, name, what it does in a request's words).
SCRIPTS = (
    ("movie_night", "Movie Night", "start movie night"),
    ("good_morning", "Good Morning", "run good morning"),
    ("bedtime", "Bedtime Routine", "start the bedtime routine"),
    ("leaving_home", "Leaving Home", "run leaving home"),
    ("feed_the_cat", "Feed The Cat", "feed the cat"),
    ("party_mode", "Party Mode", "start party mode"),
)

# Things no synthetic home has, for requests about unknown devices.
UNKNOWN_DEVICES = (
    "sprinkler", "jacuzzi", "pool pump", "robot vacuum", "dishwasher", "oven", "doorbell camera",
    "sauna", "hot tub", "aquarium light", "garden fountain", "projector", "treadmill", "toaster",
    "washing machine", "unicorn machine", "lava lamp", "popcorn maker", "wine fridge", "ice maker",
)  # fmt: skip
