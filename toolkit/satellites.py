"""Satellites talking at once: the home they share and the spoken rounds of the voice stress phase.

Each satellite owns one light in its own room and is the only one to name it, so whatever crosses
from one satellite's turn to another's is visible: in a state change (every change carries the
`Context` of the turn that caused it), in what was heard, or in what was answered. Used by
`scripts/stress` (toolkit/stress.py) and by tests/test_voice_concurrency.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, callback

from toolkit.speech import BYTES_PER_SAMPLE, SAMPLE_RATE, speak, word_error_rate, word_errors, words
from toolkit.spoken_turn import SpokenTurn, stream_spoken
from toolkit.statistics import percentile

SATELLITES = 10
# One device per satellite, each in its own room, so every change has exactly one owner.
SATELLITE_DEVICES = (
    "Desk Lamp", "Porch Light", "Sofa Lamp", "Hall Light", "Pantry Light",
    "Garden Light", "Study Lamp", "Stair Light", "Closet Light", "Mirror Light",
)  # fmt: skip
# Each voice satellite has its own way of asking. Home Assistant's matcher knows the first two
# phrasings and not the third, which goes to the model: speech-to-text requests of some
# satellites then queue at the worker between generations for another.
VOICE_PHRASES = ("turn {state} the {device}", "switch {state} the {device}", "kindly turn {state} the {device}")
# Satellites are not woken in the same millisecond: each one's first command ends this much after
# the one before's, so the turns queue at the worker together however short a turn is.
STAGGER_S = 0.05


def satellite_home() -> dict[str, Any]:
    """The fixture home of the satellites: ten rooms, one light each, all off."""
    areas = [{"id": f"room_{index}", "name": f"Room {index + 1}"} for index in range(SATELLITES)]
    entities = [
        {"domain": "light", "id": name.lower().replace(" ", "_"), "name": name, "area": f"room_{index}", "state": "off"}
        for index, name in enumerate(SATELLITE_DEVICES)
    ]
    return {"areas": areas, "entities": entities}


@dataclass(frozen=True)
class VoiceSatellite:
    """One satellite of a spoken round: its light and its way of asking."""

    index: int

    @property
    def device(self) -> str:
        return SATELLITE_DEVICES[self.index].lower()

    @property
    def entity_id(self) -> str:
        return f"light.{self.device.replace(' ', '_')}"

    def command(self, wanted: str) -> str:
        return VOICE_PHRASES[self.index % len(VOICE_PHRASES)].format(state=wanted, device=self.device)


@dataclass(frozen=True)
class StateChange:
    entity_id: str
    state: str
    context_id: str
    at: float  # time.perf_counter()


@dataclass(frozen=True)
class SpokenCommand:
    satellite: VoiceSatellite
    wanted: str  # "on" or "off"
    heard: SpokenTurn
    context_id: str  # every state change this turn caused carries it

    @property
    def asked(self) -> str:
        return self.satellite.command(self.wanted)


@dataclass
class SpokenRound:
    """What the satellites said and what changed meanwhile (with who caused it)."""

    commands: list[SpokenCommand] = field(default_factory=list)
    changes: list[StateChange] = field(default_factory=list)
    resets: set[str] = field(default_factory=set)  # contexts of the resets before each command

    def own_changes(self, command: SpokenCommand) -> list[StateChange]:
        return [change for change in self.changes if change.context_id == command.context_id]

    def latency(self, command: SpokenCommand) -> float | None:
        """Seconds from the end of the command's audio to its light changing as asked (None: it did not)."""
        wanted = (command.satellite.entity_id, command.wanted)
        done = [change.at for change in self.own_changes(command) if (change.entity_id, change.state) == wanted]
        return min(done) - command.heard.audio_ended if done else None

    def unowned_changes(self) -> list[StateChange]:
        """Changes caused by no command and no reset: nobody asked for them."""
        owners = {command.context_id for command in self.commands} | self.resets
        return [change for change in self.changes if change.context_id not in owners]


async def speak_at_once(hass: HomeAssistant, pipeline_id: str, satellites: int, turns: int) -> SpokenRound:
    """`satellites` satellites each say `turns` commands (on, off, on...) through the pipeline,
    all at once, streamed in real time; each keeps its conversation from one turn to the next."""
    voices = [VoiceSatellite(index) for index in range(satellites)]
    commands = {(voice, wanted): voice.command(wanted) for voice in voices for wanted in ("on", "off")}
    audio = {key: await asyncio.to_thread(speak, text) for key, text in commands.items()}
    spoken = SpokenRound()
    stop_recording = hass.bus.async_listen(EVENT_STATE_CHANGED, _recorder(spoken.changes))

    longest = max(len(audio[voice, "on"]) for voice in voices)

    async def satellite(voice: VoiceSatellite) -> None:
        shorter_by = (longest - len(audio[voice, "on"])) / (SAMPLE_RATE * BYTES_PER_SAMPLE)
        await asyncio.sleep(shorter_by + voice.index * STAGGER_S)
        conversation_id: str | None = None
        for turn in range(turns):
            wanted = "on" if turn % 2 == 0 else "off"
            spoken.resets.add(await _switch_light(hass, voice.entity_id, "off" if wanted == "on" else "on"))
            context = Context()
            heard = await stream_spoken(
                hass,
                pipeline_id,
                audio[voice, wanted],
                context=context,
                conversation_id=conversation_id,
                real_time=True,
            )
            conversation_id = heard.conversation_id or conversation_id
            spoken.commands.append(SpokenCommand(voice, wanted, heard, context.id))

    try:
        await asyncio.gather(*(satellite(voice) for voice in voices))
    finally:
        stop_recording()
    return spoken


def _recorder(changes: list[StateChange]) -> Callable[[Event[EventStateChangedData]], None]:
    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        state = event.data["new_state"]
        if state is not None and state.domain == "light":
            changes.append(StateChange(state.entity_id, state.state, state.context.id, time.perf_counter()))

    return record


async def _switch_light(hass: HomeAssistant, entity_id: str, state: str) -> str:
    """Put the light in `state`, so the next command has something to change; returns the context used."""
    context = Context()
    await hass.services.async_call("light", f"turn_{state}", {"entity_id": entity_id}, blocking=True, context=context)
    return context.id


def judge_spoken(command: SpokenCommand, own_changes: list[StateChange]) -> dict[str, int]:
    """One spoken command judged on what was heard, answered and done (`own_changes` carry its context).

    Crossed: it changed another satellite's light, or heard or answered with another satellite's
    light instead of its own (each light is named by its own satellite only).
    """
    voice, heard = command.satellite, command.heard
    transcript, reply = " ".join(words(heard.transcript)), " ".join(words(heard.reply))
    others = [device.lower() for device in SATELLITE_DEVICES if device.lower() != voice.device]
    acted = any(change.entity_id == voice.entity_id and change.state == command.wanted for change in own_changes)
    return {
        "lost": int(bool(heard.error) or not heard.reply.strip()),
        "crossed": int(
            any(change.entity_id != voice.entity_id for change in own_changes)
            or any(device in transcript and voice.device not in transcript for device in others)
            or any(device in reply for device in others)
        ),
        "wrong_state": int(not heard.error and not acted),
        "wrong_transcripts": int(word_errors(command.asked, heard.transcript)[0] > 0),
    }


def round_figures(spoken: SpokenRound) -> dict[str, Any]:
    """Counts over the round, word error rate, and latency from the end of the audio to the state
    change: over all commands, then those Home Assistant's matcher answered and those the model did."""
    figures: dict[str, Any] = dict.fromkeys(("lost", "crossed", "wrong_state", "wrong_transcripts", "by_model"), 0)
    for command in spoken.commands:
        for key, count in judge_spoken(command, spoken.own_changes(command)).items():
            figures[key] += count
        figures["by_model"] += int(command.heard.processed_locally is False)
    figures["unowned_changes"] = len(spoken.unowned_changes())
    pairs = [(command.asked, command.heard.transcript) for command in spoken.commands]
    figures["wer"] = round(word_error_rate(pairs), 3)
    for name, by_model in (("", None), ("matcher_", False), ("model_", True)):
        commands = [
            command for command in spoken.commands if by_model in (None, command.heard.processed_locally is False)
        ]
        latencies = [latency for command in commands if (latency := spoken.latency(command)) is not None]
        figures[f"{name}p50_s"] = round(percentile(latencies, 0.5), 2)
        figures[f"{name}p95_s"] = round(percentile(latencies, 0.95), 2)
    return figures


def command_record(spoken: SpokenRound, command: SpokenCommand) -> Mapping[str, Any]:
    """One command as results.json keeps it: enough to see what went wrong."""
    heard, latency = command.heard, spoken.latency(command)
    return {
        "satellite": command.satellite.index, "asked": command.asked, "heard": heard.transcript,
        "reply": heard.reply, "error": heard.error, "by_model": heard.processed_locally is False,
        "latency_s": None if latency is None else round(latency, 2),
    }  # fmt: skip
