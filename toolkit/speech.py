"""Real speech for tests and benchmarks: espeak-ng voices, sox noise, word error rate.

Audio is what the Assist pipeline carries: headerless 16-bit little-endian PCM, 16 kHz, mono.
espeak starts on the first phoneme and stops on the last, which no microphone does, so every
utterance is padded with silence at both ends.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections.abc import Iterator

import numpy as np
from homeassistant.components import stt

SAMPLE_RATE = 16000
BYTES_PER_SAMPLE = 2
CHUNK_MS = 10  # what the Assist pipeline sends per chunk
PAD_SECONDS = 0.4
VOICES = ("en-us", "en-gb-x-rp")  # two espeak voices with different accents
# More accents for the speech benchmark: Scottish, Lancaster, Caribbean and a female US variant.
# (espeak's female MBROLA voice us-mbrola-1 needs the mbrola program and its voice data, which
# are not installed here; "+f3" is espeak's own female variant of the US voice.)
ACCENTS = (*VOICES, "en-gb-scotland", "en-gb-x-gbclan", "en-029", "en-us+f3")
SPEED_WPM = 150
_PCM_OUT = ["-t", "raw", "-r", str(SAMPLE_RATE), "-e", "signed-integer", "-b", "16", "-c", "1", "-L", "-"]


def speak(text: str, voice: str = VOICES[0], pad_seconds: float = PAD_SECONDS) -> bytes:
    """The text spoken by espeak-ng as pipeline PCM, padded with silence at both ends."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(SPEED_WPM), "--stdout", text], check=True, capture_output=True
    ).stdout
    pad = f"{pad_seconds:.3f}"
    return subprocess.run(
        ["sox", "-t", "wav", "-", *_PCM_OUT, "pad", pad, pad], input=wav, check=True, capture_output=True
    ).stdout


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * SAMPLE_RATE) * BYTES_PER_SAMPLE)


def noise(seconds: float, color: str = "pinknoise") -> bytes:
    """Repeatable sox noise (the same samples every run), full scale before mixing."""
    return subprocess.run(
        ["sox", "-R", "-n", *_PCM_OUT, "synth", f"{seconds:.3f}", color, "vol", "0.5"],
        check=True,
        capture_output=True,
    ).stdout


def add_noise(pcm: bytes, snr_db: float) -> bytes:
    """The speech with sox pink noise mixed in at the given signal-to-noise ratio (speech RMS over noise RMS)."""
    speech = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    hiss = np.frombuffer(noise(len(speech) / SAMPLE_RATE), dtype="<i2").astype(np.float64)[: len(speech)]
    hiss = np.pad(hiss, (0, len(speech) - len(hiss)))
    speech_rms = math.sqrt(float(np.mean(speech[np.abs(speech) > 0] ** 2)))  # the padding is not speech
    scale = speech_rms / (math.sqrt(float(np.mean(hiss**2))) * 10 ** (snr_db / 20))
    mixed = np.clip(speech + hiss * scale, -32768, 32767).astype("<i2")
    return mixed.tobytes()


def chunks(pcm: bytes, milliseconds: int = CHUNK_MS) -> Iterator[bytes]:
    size = SAMPLE_RATE * BYTES_PER_SAMPLE * milliseconds // 1000
    for start in range(0, len(pcm), size):
        yield pcm[start : start + size]


def words(text: str) -> list[str]:
    """Lower-case words without punctuation, so "Kitchen light." equals "kitchen light"."""
    return re.sub(r"[^\w\s']", " ", text.lower().replace("%", " percent")).split()


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference length): word-level edit distance."""
    ref, hyp = words(reference), words(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i]
        for j, hyp_word in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)))
        previous = current
    return previous[-1], len(ref)


def word_error_rate(pairs: list[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs: all errors over all reference words."""
    errors = [word_errors(reference, hypothesis) for reference, hypothesis in pairs]
    return sum(e for e, _ in errors) / max(1, sum(n for _, n in errors))


# What the Assist pipeline declares for its audio: 16-bit mono PCM at 16 kHz, English.
PIPELINE_METADATA = stt.SpeechMetadata(
    language="en",
    format=stt.AudioFormats.WAV,
    codec=stt.AudioCodecs.PCM,
    bit_rate=stt.AudioBitRates.BITRATE_16,
    sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
    channel=stt.AudioChannels.CHANNEL_MONO,
)
