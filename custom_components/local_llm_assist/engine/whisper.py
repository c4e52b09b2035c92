"""faster-whisper runtime, used only inside the worker process.

The model folder is loaded once and kept. Audio arrives as the raw PCM the Assist pipeline
streams (16-bit, 16 kHz, mono) and is converted to float samples here, in the worker, so
neither the conversion nor the decoding ever runs in Home Assistant's process. Whisper is
given numpy samples, never a file path: that keeps PyAV (and its version quirks) out of the way.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .data import Transcript, TranscriptionRequest, WhisperSettings
from .errors import ModelLoadError

if TYPE_CHECKING:
    from .speech_window import SpeechWindowWhisper

SAMPLE_RATE = 16000
BYTES_PER_SAMPLE = 2
# Files faster-whisper needs to load a folder without reaching the network: without
# tokenizer.json it would try to download one.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
# The seconds of audio the encoder really works on (engine/speech_window.py); longer audio is
# encoded whole. Chosen with `scripts/bench stt --sweep` on tiny.en with two beams: 10, 12 and 15 s
# hear the bench's commands about equally well (WER 0.200, 0.199, 0.200 over both halves of the
# sweep), but 10 s mis-heard two to three words more than 12 and 15 s on the speech-window test's
# 21 commands, on both Python environments; 12 s takes 0.9x the work of 15 s. The multilingual
# base model mis-hears with a window when given hotwords (it answers with one of the names: WER
# 0.85 against 0.21 for tiny.en, same bench), so multilingual models keep the whole window until a
# window is measured for them.
WINDOW_SECONDS = 12.0
FULL_WINDOW_SECONDS = 30.0
# Whisper writes about three tokens a second of English: a transcript longer than this is whisper
# repeating itself, and stopping it early bounds the time a bad decode takes.
TOKENS_PER_SECOND = 6
MIN_NEW_TOKENS = 8
MAX_NEW_TOKENS = 200  # with the longest hotwords prompt this stays within whisper's 448 tokens


def check_model_folder(path: str) -> None:
    """Fail with a precise code before handing a folder to native code."""
    folder = Path(path)
    if not folder.is_dir():
        raise ModelLoadError("whisper_model_not_found", f"no folder at {path}")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelLoadError("whisper_model_incomplete", f"{path} lacks {', '.join(missing)}")
    try:
        json.loads((folder / "config.json").read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelLoadError("whisper_model_load_failed", f"{path}/config.json is not JSON: {err}") from err


def pcm_seconds(pcm: bytes) -> float:
    return len(pcm) / (SAMPLE_RATE * BYTES_PER_SAMPLE)


class WhisperRuntime:
    """Holds loaded whisper models by settings and transcribes PCM with them."""

    def __init__(self) -> None:
        self._models: dict[WhisperSettings, SpeechWindowWhisper] = {}
        self._load_ms: dict[WhisperSettings, float] = {}

    def load(self, settings: WhisperSettings) -> dict[str, Any]:
        """Load (once) and report the languages the model can transcribe."""
        if (model := self._models.get(settings)) is None:
            check_model_folder(settings.model_path)
            from .speech_window import SpeechWindowWhisper  # heavy import, only in the worker

            started = time.monotonic()
            try:
                model = SpeechWindowWhisper(
                    settings.model_path,
                    window_seconds=WINDOW_SECONDS,
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=settings.threads or (os.cpu_count() or 2),
                )
            except (ValueError, RuntimeError, OSError) as err:
                raise ModelLoadError("whisper_model_load_failed", str(err)) from err
            if model.model.is_multilingual:
                model.window_seconds = FULL_WINDOW_SECONDS
            self._models[settings] = model
            self._load_ms[settings] = (time.monotonic() - started) * 1000
        return {
            "languages": model.supported_languages,
            "multilingual": model.model.is_multilingual,
            "load_ms": self._load_ms[settings],
        }

    def unload(self, settings: WhisperSettings) -> None:
        self._models.pop(settings, None)

    def transcribe(self, settings: WhisperSettings, request: TranscriptionRequest) -> Transcript:
        model = self._models.get(settings)
        if model is None:
            raise ModelLoadError("model_not_loaded", f"{settings.model_path} is not loaded")
        import numpy as np

        started = time.monotonic()
        samples = np.frombuffer(request.pcm, dtype="<i2").astype(np.float32) / 32768.0
        options = decoding_options(request, multilingual=model.model.is_multilingual)
        segments, info = model.transcribe(samples, **options)
        text = without_repeats(" ".join(segment.text.strip() for segment in segments).strip())
        return Transcript(
            text=text,
            language=info.language,
            audio_seconds=pcm_seconds(request.pcm),
            transcribe_ms=(time.monotonic() - started) * 1000,
            model=Path(settings.model_path).name,
        )


def decoding_options(request: TranscriptionRequest, *, multilingual: bool) -> dict[str, Any]:
    """faster-whisper's transcribe options for one spoken command."""
    return {
        "language": request.language if multilingual else "en",
        "beam_size": request.beam_size,
        "vad_filter": request.vad_filter,
        "hotwords": request.hotwords or None,
        "condition_on_previous_text": False,  # a command is one utterance; this only feeds hallucinations
        "without_timestamps": True,
        # One greedy pass: the fallback list re-decodes a doubtful command by sampling at rising
        # temperatures, which costs a decode each and makes the same audio give different text.
        "temperature": 0.0,
        "max_new_tokens": max_new_tokens(pcm_seconds(request.pcm)),
    }


def max_new_tokens(seconds: float) -> int:
    return min(MAX_NEW_TOKENS, MIN_NEW_TOKENS + round(TOKENS_PER_SECOND * seconds))


def without_repeats(text: str) -> str:
    """The text once, when whisper wrote it over and over ("lock the door, lock the door, lock the").

    Whisper falls into such loops on unclear audio. Only a text that is nothing but one phrase of at
    least two words repeated (the last time possibly cut off) is shortened; anything else is kept.
    """
    tokens = text.split()
    normalized = [re.sub(r"[^\w']", "", token.lower()) for token in tokens]
    for period in range(2, len(tokens) - 1):
        if all(normalized[i] == normalized[i - period] for i in range(period, len(tokens))):
            return " ".join(tokens[:period]).rstrip(",;")
    return text
