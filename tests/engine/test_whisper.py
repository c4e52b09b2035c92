"""faster-whisper in the model worker: real speech in, text out; checked folders; restarts reload it."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from custom_components.local_llm_assist.engine.data import (
    ChatMessage,
    GenerationRequest,
    LlmSettings,
    TranscriptionRequest,
    WhisperSettings,
)
from custom_components.local_llm_assist.engine.errors import ModelLoadError, WorkerCrashedError
from custom_components.local_llm_assist.engine.whisper import check_model_folder
from custom_components.local_llm_assist.engine.worker import WorkerClient
from toolkit.models import ACCURATE_WHISPER, FAST_WHISPER, SMOKE_LLM
from toolkit.speech import noise, silence, speak, word_errors

WHISPER = WhisperSettings(model_path=str(FAST_WHISPER))
LLM = LlmSettings(model_path=str(SMOKE_LLM), context_size=512)


@pytest.fixture
async def client() -> AsyncIterator[WorkerClient]:
    worker = WorkerClient(request_timeout=120)
    yield worker
    await worker.stop()


async def test_speech_becomes_text_in_the_worker(client: WorkerClient) -> None:
    loaded = await client.load_whisper(WHISPER)
    assert loaded["languages"] == ["en"] and not loaded["multilingual"]
    spoken = speak("open the garage door")
    transcript = await client.transcribe(WHISPER, TranscriptionRequest(pcm=spoken))
    assert word_errors("open the garage door", transcript.text)[0] == 0, transcript.text
    assert transcript.audio_seconds == pytest.approx(len(spoken) / 32000)
    assert transcript.model == "faster-whisper-tiny.en" and transcript.transcribe_ms > 0
    assert client.pid is not None and client.pid != os.getpid()


async def test_silence_and_noise_give_no_words(client: WorkerClient) -> None:
    await client.load_whisper(WHISPER)
    for audio in (silence(2), noise(2)):
        assert (await client.transcribe(WHISPER, TranscriptionRequest(pcm=audio))).text == ""


@pytest.mark.parametrize("vad_filter", [True, False], ids=["vad", "no-vad"])
async def test_very_short_or_silent_audio_gives_an_empty_transcript(client: WorkerClient, vad_filter: bool) -> None:
    """Without the voice filter the silence itself reaches the speech window (and must not be encoded as speech)."""
    await client.load_whisper(WHISPER)
    for audio in (silence(0.1), silence(4), speak("turn on the kitchen light")[:3200]):
        transcript = await client.transcribe(WHISPER, TranscriptionRequest(pcm=audio, vad_filter=vad_filter))
        assert len(transcript.text.split()) <= 1, transcript.text  # at most a guessed word, never a sentence


# Spoken by two voices, with the bench home's names as hotwords, as the STT entity sends them.
COMMANDS = ["turn on the kitchen light", "open the garage door", "turn on the bedroom fan", "turn off the bedroom fan"]
HOTWORDS = "bedroom fan, front door, garage door, kitchen light, bedroom, garage, kitchen"


@pytest.mark.parametrize("voice", ["en-us", "en-gb-x-rp"])
async def test_the_default_decoding_hears_commands_right(client: WorkerClient, voice: str) -> None:
    await client.load_whisper(WHISPER)
    wrong = []
    for command in COMMANDS:
        asked = TranscriptionRequest(pcm=speak(command, voice), language="en", hotwords=HOTWORDS)
        heard = (await client.transcribe(WHISPER, asked)).text
        if word_errors(command, heard)[0]:
            wrong.append(heard)
    assert wrong == []


async def test_a_command_after_a_long_pause_is_still_heard(client: WorkerClient) -> None:
    """20 s of audio is longer than the speech window: it is encoded whole, not cut."""
    await client.load_whisper(WHISPER)
    audio = silence(17) + speak("open the garage door")
    transcript = await client.transcribe(WHISPER, TranscriptionRequest(pcm=audio, vad_filter=False))
    assert word_errors("open the garage door", transcript.text)[0] == 0, transcript.text


async def test_both_models_live_in_one_worker_and_come_back_after_a_crash(client: WorkerClient) -> None:
    await client.load_llm(LLM)
    await client.load_whisper(WHISPER)
    pid = client.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerCrashedError):
        await client.ping()
    # The next requests restart the worker, which reloads both models before serving them.
    transcript = await client.transcribe(WHISPER, TranscriptionRequest(pcm=speak("turn on the kitchen light")))
    assert "kitchen light" in transcript.text.lower()
    reply = await client.generate(LLM, GenerationRequest([ChatMessage("user", "Say hi.")], None, 0.0, 8))
    assert reply.text
    assert client.pid not in (None, pid) and client.restarts == 1


@pytest.mark.parametrize(
    ("files", "code"),
    [
        (None, "whisper_model_not_found"),
        ({"config.json": b"{}"}, "whisper_model_incomplete"),
        ({"model.bin": b"x", "tokenizer.json": b"{}", "config.json": b"not json"}, "whisper_model_load_failed"),
    ],
    ids=["missing", "incomplete", "broken-config"],
)
def test_model_folder_is_checked_before_loading(tmp_path: Path, files: dict[str, bytes] | None, code: str) -> None:
    folder = tmp_path / "whisper"
    if files is not None:
        folder.mkdir()
        for name, content in files.items():
            (folder / name).write_bytes(content)
    with pytest.raises(ModelLoadError) as failure:
        check_model_folder(str(folder))
    assert failure.value.code == code


async def test_the_multilingual_model_hears_a_command_with_hotwords(client: WorkerClient) -> None:
    """base with the home's names and a 15 s window answered with one of the names: it keeps the whole window."""
    base = WhisperSettings(model_path=str(ACCURATE_WHISPER))
    await client.load_whisper(base)
    for command in ("turn on the kitchen light", "lock the front door"):
        asked = TranscriptionRequest(pcm=speak(command), language="en", hotwords=HOTWORDS)
        heard = (await client.transcribe(base, asked)).text
        assert word_errors(command, heard)[0] == 0, heard
