"""Music: play a song, artist or playlist, and remember what each speaker and person asked for.

"Play my favourite song" plays the most requested title and "play that again" the last one, per
person when Home Assistant knows who asked, else per speaker (satellite), media player, or for
the whole household. The
memory lives in Home Assistant's storage, so it survives restarts; `clear_music_memory` empties it.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import voluptuous as vol
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from ... import compat
from ...const import DOMAIN, LOGGER
from ...engine.data import ToolExample
from ...engine.text import MUSIC_REQUEST_WORDS, normalize
from ...spoken import async_sentence
from ..base import Skill, SkillOrigin, SkillReply
from .memory import MusicMemory

MEDIA_PLAYER = "media_player"
ASSISTANT = "conversation"
STORAGE_VERSION = 1
MAX_TITLE_CHARS = 200
HOUSEHOLD = "home"
_PLAYER = vol.Optional("player", description="the speaker to play on, only if the user named one")


class MusicMemoryStore:
    """The memory, loaded from storage on first use and saved after every change."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._store = Store[dict[str, Any]](hass, STORAGE_VERSION, f"{DOMAIN}.music_memory")
        self._memory: MusicMemory | None = None
        self._lock = asyncio.Lock()

    async def async_load(self) -> MusicMemory:
        async with self._lock:
            if self._memory is None:
                self._memory = MusicMemory(await self._store.async_load())
            return self._memory

    async def async_save(self) -> None:
        if self._memory is not None:
            await self._store.async_save(self._memory.as_dict())


MUSIC_MEMORY: HassKey[MusicMemoryStore] = HassKey(f"{DOMAIN}_music_memory")


def music_memory(hass: HomeAssistant) -> MusicMemoryStore:
    if MUSIC_MEMORY not in hass.data:
        hass.data[MUSIC_MEMORY] = MusicMemoryStore(hass)
    return hass.data[MUSIC_MEMORY]


class _MusicSkill(Skill):
    feature = "music"
    asked_for_by = MUSIC_REQUEST_WORDS

    def is_available(self, hass: HomeAssistant) -> bool:
        return bool(_exposed_players(hass))


class PlayMusicSkill(_MusicSkill):
    name = "PlayMusic"
    examples = (ToolExample(name, "play some jazz", {"query": "jazz"}),)
    description = "Plays a song, an artist or a playlist on a speaker."
    parameters = vol.Schema(
        {
            vol.Required("query", description="the song, artist or playlist to play"): vol.All(
                str, vol.Length(min=1, max=MAX_TITLE_CHARS)
            ),
            _PLAYER: str,
        }
    )

    async def async_run(self, hass: HomeAssistant, arguments: dict[str, Any], origin: SkillOrigin) -> SkillReply:
        query = arguments["query"].strip()
        if (which := remembered_request(query)) is not None:  # a small model may pass "my favourite song" as a title
            return await PlayRememberedMusicSkill().async_run(hass, {**arguments, "which": which}, origin)
        return await async_play(hass, origin, query, arguments.get("player"))


# The model sometimes copies the tool description ("the most requested") as the title.
_FAVOURITE = re.compile(
    r"^(?:my |our |the )?(?:favou?rite|usual|most (?:requested|played|asked for))(?: song| music| track| one)?$"
)
_AGAIN = re.compile(r"^(?:that|it|this|the same|the last)(?: song| one| track)?(?: again| once more)?$")


def remembered_request(query: str) -> str | None:
    """ "favourite" or "last" when a title is really a request for remembered music."""
    text = normalize(query)
    if _FAVOURITE.match(text):
        return "favourite"
    return "last" if _AGAIN.match(text) else None


class PlayRememberedMusicSkill(_MusicSkill):
    name = "PlayRememberedMusic"
    examples = (
        ToolExample(name, "play my favorite track", {"which": "favourite"}),
        ToolExample(name, "play it one more time", {"which": "last"}),
    )
    description = (
        "Plays music asked for before: which=favourite for my favourite song (the most requested), "
        "which=last for play that again."
    )
    parameters = vol.Schema({vol.Required("which"): vol.In(["favourite", "last"]), _PLAYER: str})

    async def async_run(self, hass: HomeAssistant, arguments: dict[str, Any], origin: SkillOrigin) -> SkillReply:
        player = _choose_player(hass, arguments.get("player"), origin)
        if isinstance(player, str):
            return await self.async_fail(hass, origin, player, name=arguments.get("player") or "")
        memory = await music_memory(hass).async_load()
        listeners = _listeners(origin, player)
        title = memory.favourite(listeners) if arguments["which"] == "favourite" else memory.last(listeners)
        if title is None:
            return await self.async_fail(hass, origin, "music_nothing_remembered")
        return await async_play(hass, origin, title, arguments.get("player"))


async def async_play(hass: HomeAssistant, origin: SkillOrigin, title: str, player_name: str | None) -> SkillReply:
    player = _choose_player(hass, player_name, origin)
    if isinstance(player, str):
        speech = await async_sentence(hass, origin.language, player, name=player_name or "")
        return SkillReply(speech, {"error": player}, success=False)
    try:
        await hass.services.async_call(
            MEDIA_PLAYER,
            "play_media",
            {"entity_id": player.entity_id, "media_content_id": title, "media_content_type": "music"},
            blocking=True,
            context=origin.context,
        )
    except HomeAssistantError as err:
        LOGGER.warning("Playing on %s failed: %s", player.entity_id, err)
        speech = await async_sentence(hass, origin.language, "music_play_failed", name=player.name)
        return SkillReply(speech, {"error": "music_play_failed"}, success=False)
    store = music_memory(hass)
    (await store.async_load()).record(_listeners(origin, player), title, time.time())
    await store.async_save()
    speech = await async_sentence(hass, origin.language, "music_playing", title=title, name=player.name)
    return SkillReply(speech, {"title": title, "entity_id": player.entity_id})


def _listeners(origin: SkillOrigin, player: State) -> list[str]:
    """Whose memory a play counts for, most personal first; the whole household last."""
    keys = [f"user:{origin.user_id}"] if origin.user_id else []
    keys += [f"device:{origin.device_id}"] if origin.device_id else []
    return [*keys, f"player:{player.entity_id}", HOUSEHOLD]


def _choose_player(hass: HomeAssistant, name: str | None, origin: SkillOrigin) -> State | str:
    """The named player, else the one in the requesting device's area, else the only/first one.

    Returns an error key instead when there is none or it cannot play.
    """
    players = _exposed_players(hass)
    if name:
        wanted = normalize(name)
        chosen = next((s for s in players if wanted in {normalize(n) for n in _names(hass, s)}), None)
        if chosen is None:
            return "music_player_not_found"
    else:
        chosen = _nearest(hass, players, origin.device_id)
        if chosen is None:
            return "music_no_player"
    return "music_player_unavailable" if chosen.state in ("unavailable", "unknown") else chosen


def _exposed_players(hass: HomeAssistant) -> list[State]:
    exposed = (s for s in hass.states.async_all(MEDIA_PLAYER) if async_should_expose(hass, ASSISTANT, s.entity_id))
    return sorted(exposed, key=lambda s: s.name)


def _names(hass: HomeAssistant, state: State) -> set[str]:
    return {state.name, *compat.entity_aliases(hass, er.async_get(hass).async_get(state.entity_id))}


def _nearest(hass: HomeAssistant, players: list[State], device_id: str | None) -> State | None:
    """The player in the requesting device's area, else one that is playing, else the first."""
    area = _area_of_device(hass, device_id)
    in_area = [s for s in players if area and _area_of_entity(hass, s.entity_id) == area]
    candidates = in_area or [s for s in players if s.state == "playing"] or players
    return candidates[0] if candidates else None


def _area_of_device(hass: HomeAssistant, device_id: str | None) -> str | None:
    device = dr.async_get(hass).async_get(device_id) if device_id else None
    return device.area_id if device else None


def _area_of_entity(hass: HomeAssistant, entity_id: str) -> str | None:
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None:
        return None
    return entry.area_id or _area_of_device(hass, entry.device_id)
