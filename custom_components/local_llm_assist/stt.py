"""The speech-to-text entity: the Assist pipeline's audio → faster-whisper in the model worker.

It declares exactly what the pipeline sends (WAV/PCM, 16-bit, 16 kHz, mono), collects the
stream up to a cap, and hands the PCM to the worker, where it is converted and decoded. The
names of exposed devices and areas are passed as hotwords so whisper expects them.
Every failure becomes an error result the pipeline reports ("no text recognized"), never an
exception, and never reaches the agent.
"""

from __future__ import annotations

from collections.abc import AsyncIterable

from homeassistant.components import stt
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import chat_session
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .const import (
    AUTO_LANGUAGE,
    CONF_WHISPER_BEAM_SIZE,
    CONF_WHISPER_HOTWORDS,
    CONF_WHISPER_LANGUAGE,
    CONF_WHISPER_VAD_FILTER,
    DEFAULT_WHISPER_BEAM_SIZE,
    DEFAULT_WHISPER_HOTWORDS,
    DEFAULT_WHISPER_VAD_FILTER,
    DOMAIN,
    LOGGER,
)
from .engine.data import TranscriptionRequest
from .engine.errors import EngineError
from .engine.whisper import BYTES_PER_SAMPLE, SAMPLE_RATE
from .entity import LocalLlmEntity
from .home_context import async_get_home_context
from .runtime import LocalLlmConfigEntry

# Whisper decodes 30-second windows and a spoken command is far shorter: a stream that goes on
# past this is not a command (an open microphone), and stopping bounds the memory it can take.
MAX_AUDIO_SECONDS = 30
MAX_AUDIO_BYTES = MAX_AUDIO_SECONDS * SAMPLE_RATE * BYTES_PER_SAMPLE
# Less than this cannot hold a word; whisper would only guess.
MIN_AUDIO_SECONDS = 0.1
ERROR_RESULT = stt.SpeechResult(None, stt.SpeechResultState.ERROR)


def unique_id(entry: LocalLlmConfigEntry) -> str:
    return f"{entry.entry_id}_stt"


@callback
def async_remove_stale_entity(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> None:
    """Speech was turned off: drop the entity left in the registry rather than show it unavailable."""
    registry = er.async_get(hass)
    if entity_id := registry.async_get_entity_id("stt", DOMAIN, unique_id(entry)):
        registry.async_remove(entity_id)


async def async_setup_entry(
    hass: HomeAssistant, entry: LocalLlmConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    async_add_entities([LocalWhisperSttEntity(entry)])


class LocalWhisperSttEntity(LocalLlmEntity, stt.SpeechToTextEntity):
    """faster-whisper on this machine, in the same worker as the language model."""

    def __init__(self, entry: LocalLlmConfigEntry) -> None:
        super().__init__(entry, unique_id(entry))

    @property
    def configured_language(self) -> str | None:
        """The language whisper is told to expect; None lets it detect the language."""
        language = str(self.entry.options.get(CONF_WHISPER_LANGUAGE, AUTO_LANGUAGE))
        return None if language == AUTO_LANGUAGE else language

    @property
    def supported_languages(self) -> list[str]:
        language = self.configured_language
        return [language] if language else list(self.runtime.whisper_languages)

    @property
    def supported_formats(self) -> list[stt.AudioFormats]:
        return [stt.AudioFormats.WAV]

    @property
    def supported_codecs(self) -> list[stt.AudioCodecs]:
        return [stt.AudioCodecs.PCM]

    @property
    def supported_bit_rates(self) -> list[stt.AudioBitRates]:
        return [stt.AudioBitRates.BITRATE_16]

    @property
    def supported_sample_rates(self) -> list[stt.AudioSampleRates]:
        return [stt.AudioSampleRates.SAMPLERATE_16000]

    @property
    def supported_channels(self) -> list[stt.AudioChannels]:
        return [stt.AudioChannels.CHANNEL_MONO]

    async def async_process_audio_stream(
        self, metadata: stt.SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> stt.SpeechResult:
        if not self.check_metadata(metadata):
            LOGGER.warning("Refused audio in a format this model does not take: %s", metadata)
            return ERROR_RESULT
        pcm = await _collect(stream)
        if pcm is None:
            return ERROR_RESULT
        runtime = self.runtime
        assert runtime.whisper_settings is not None  # the entity exists only with a speech model
        try:
            transcript = await runtime.client.transcribe(runtime.whisper_settings, self._request(pcm))
        except EngineError as err:
            LOGGER.warning("Speech-to-text failed: %s", err)
            return ERROR_RESULT
        runtime.transcripts.append(transcript)
        if runtime.tracer is not None:  # the span joins the agent turn this text starts
            runtime.tracer.record_transcript(
                transcript.text,
                audio_seconds=transcript.audio_seconds,
                stt_ms=transcript.transcribe_ms,
                model=transcript.model,
                conversation_id=_pipeline_conversation_id(),
            )
        return stt.SpeechResult(transcript.text, stt.SpeechResultState.SUCCESS)

    def _request(self, pcm: bytes) -> TranscriptionRequest:
        options = self.entry.options
        biased = bool(options.get(CONF_WHISPER_HOTWORDS, DEFAULT_WHISPER_HOTWORDS))
        return TranscriptionRequest(
            pcm=pcm,
            language=self.configured_language,
            beam_size=int(options.get(CONF_WHISPER_BEAM_SIZE, DEFAULT_WHISPER_BEAM_SIZE)),
            vad_filter=bool(options.get(CONF_WHISPER_VAD_FILTER, DEFAULT_WHISPER_VAD_FILTER)),
            hotwords=home_vocabulary(self.hass) if biased else None,
        )


async def _collect(stream: AsyncIterable[bytes]) -> bytes | None:
    """The whole utterance, or None when there is none to transcribe (logged why)."""
    audio = bytearray()
    try:
        async for chunk in stream:
            audio += chunk
            if len(audio) > MAX_AUDIO_BYTES:
                LOGGER.warning("Stopped listening after %s s: longer than any spoken command", MAX_AUDIO_SECONDS)
                return None
    except (OSError, EOFError) as err:  # the satellite or the browser went away mid-command
        LOGGER.warning("The audio stream broke off: %s", err)
        return None
    if len(audio) < MIN_AUDIO_SECONDS * SAMPLE_RATE * BYTES_PER_SAMPLE:
        LOGGER.debug("No audio to transcribe (%s bytes)", len(audio))
        return None
    # An odd byte count cannot be 16-bit samples; drop the dangling byte rather than fail.
    return bytes(audio[: len(audio) - len(audio) % BYTES_PER_SAMPLE])


def _pipeline_conversation_id() -> str | None:
    """The conversation of the Assist pipeline run this audio came from (None outside one).

    Home Assistant runs the whole pipeline inside its chat session, so the agent's turn for this
    text gets the same conversation id: with it, two satellites saying the same words at once
    each get their own transcription in their trace.
    """
    session = chat_session.current_session.get()
    return session.conversation_id if session is not None else None


def home_vocabulary(hass: HomeAssistant) -> str:
    """Names of exposed devices (with aliases) and of areas, for whisper to expect."""
    home = async_get_home_context(hass)
    # Devices first: whisper keeps only the first ~220 tokens of hotwords in a large home.
    names = dict.fromkeys(name.lower() for name in [*sorted(home.exposed_names), *home.names.areas])
    # Lower case on purpose: whisper copies the style of its hotwords, and "Close the Bedroom
    # Blinds" (title case) misleads the small language model where "close the bedroom blinds" does not.
    return ", ".join(names)
