"""The speech-to-text settings sweep of `scripts/bench stt --sweep`: today's settings against candidates.

Every candidate transcribes the same audio with the same loaded weights, in this process (the
worker adds the same small pipe overhead to each), and is timed in wall-clock and CPU time: the
CPU time is the work, which other programs on the machine do not inflate. The baseline row is
the settings the integration used before the speech window (faster-whisper's own 30-second
window, the temperature fallback list, no token limit), measured in the same run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from faster_whisper import WhisperModel

from custom_components.local_llm_assist.engine.data import TranscriptionRequest
from custom_components.local_llm_assist.engine.speech_window import SpeechWindowWhisper
from custom_components.local_llm_assist.engine.whisper import WINDOW_SECONDS, decoding_options, without_repeats
from toolkit.speech import word_error_rate
from toolkit.statistics import percentile

FALLBACK_TEMPERATURES = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]  # faster-whisper's default
BASE_WINDOW_SECONDS = 15  # the window the one-change-at-a-time candidates start from
BEFORE = {"temperature": FALLBACK_TEMPERATURES, "max_new_tokens": None}


@dataclass(frozen=True)
class Candidate:
    name: str
    window_seconds: float | None = BASE_WINDOW_SECONDS  # None: faster-whisper's own 30 s window
    options: dict[str, Any] = field(default_factory=dict)  # over the integration's decoding options
    repeats_removed: bool = True
    separate_model: bool = False  # the option changes the loaded model for later calls (chunk_length)


def candidates(names: str) -> list[Candidate]:
    """The baseline, the window lengths, then one change at a time to the 15 s window with one beam."""
    one = {"beam_size": 1}
    return [
        Candidate("baseline (before)", None, {**BEFORE, **one}, repeats_removed=False),
        Candidate("30 s window, temperature 0", None, one),
        Candidate("faster-whisper chunk_length=10", None, {**BEFORE, **one, "chunk_length": 10}, False, True),
        Candidate("window 10 s", 10, one),
        Candidate("window 15 s", options=one),
        Candidate("window 20 s", 20, one),
        Candidate("window 15 s, repeats kept", options=one, repeats_removed=False),
        Candidate("window 15 s, temperature fallback", options={**one, "temperature": FALLBACK_TEMPERATURES}),
        Candidate("window 15 s, beam 2", options={"beam_size": 2}),
        Candidate("window 10 s, beam 2", 10, {"beam_size": 2}),
        Candidate("window 12 s, beam 2 (default)", 12, {"beam_size": 2}),
        Candidate("window 15 s, suppress_blank off", options={**one, "suppress_blank": False}),
        Candidate("window 15 s, VAD speech pad 200 ms", options={**one, "vad_parameters": {"speech_pad_ms": 200}}),
        Candidate("window 15 s, VAD off", options={**one, "vad_filter": False}),
        Candidate("window 15 s, no hotwords", options={**one, "hotwords": None}),
        Candidate("window 15 s, names as initial prompt", options={**one, "hotwords": None, "initial_prompt": names}),
        Candidate("window 15 s, hotwords + initial prompt", options={**one, "initial_prompt": names}),
    ]


@dataclass
class SweepRow:
    candidate: Candidate
    pairs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # by "voice condition"
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    def wer(self, *, voice: str | None = None, condition: str | None = None) -> float:
        chosen = [
            pair
            for audio, pairs in self.pairs.items()
            if (voice is None or audio.split()[0] == voice) and (condition is None or condition in audio)
            for pair in pairs
        ]
        return word_error_rate(chosen)


Audio = dict[tuple[str, str], list[tuple[str, bytes]]]  # (voice, condition) -> (reference, pcm)


def chosen_candidates(vocabulary: str, only: list[str] | None) -> list[Candidate]:
    """The baseline and the candidates whose name holds one of `only` (all of them without it)."""
    every = candidates(vocabulary)
    if not only:
        return every
    return [every[0], *(c for c in every[1:] if any(part in c.name for part in only))]


def sweep(
    model_path: str, audio: Audio, vocabulary: str, threads: int, only: list[str] | None = None
) -> list[SweepRow]:
    windowed = SpeechWindowWhisper(
        model_path, window_seconds=WINDOW_SECONDS, device="cpu", compute_type="int8", cpu_threads=threads
    )
    plain = WhisperModel(model_path, device="cpu", compute_type="int8", cpu_threads=threads)
    rows = []
    for candidate in chosen_candidates(vocabulary, only):
        if candidate.separate_model:
            model = WhisperModel(model_path, device="cpu", compute_type="int8", cpu_threads=threads)
        elif candidate.window_seconds is None:
            model = plain
        else:
            windowed.window_seconds = candidate.window_seconds
            model = windowed
        rows.append(run_candidate(model, candidate, audio, vocabulary))
        print(f"  swept: {candidate.name}", flush=True)
    return rows


def run_candidate(model: WhisperModel, candidate: Candidate, audio: Audio, vocabulary: str) -> SweepRow:
    row = SweepRow(candidate)
    for (voice, condition), utterances in audio.items():
        pairs = row.pairs.setdefault(f"{voice} {condition}", [])
        for reference, pcm in utterances:
            request = TranscriptionRequest(pcm=pcm, language="en", hotwords=vocabulary)
            options = {**decoding_options(request, multilingual=False), **candidate.options}
            samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
            wall, cpu = time.perf_counter(), time.process_time()
            segments, _ = model.transcribe(samples, **options)
            text = " ".join(segment.text.strip() for segment in segments).strip()
            row.wall_ms.append((time.perf_counter() - wall) * 1000)
            row.cpu_ms.append((time.process_time() - cpu) * 1000)
            pairs.append((reference, without_repeats(text) if candidate.repeats_removed else text))
    return row


def report_sweep(rows: list[SweepRow], voices: tuple[str, ...], snr_label: str) -> list[dict[str, Any]]:
    """Print the trade-off table (ratios against the first row) and the WER per voice; return the numbers."""
    base_wall, base_cpu = percentile(rows[0].wall_ms, 0.5), percentile(rows[0].cpu_ms, 0.5)
    print(
        f"\n{'settings':40} {'WER clean':>9} {'WER noise':>9} {'WER all':>8} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'CPU p50':>8} {'p50 vs base':>11} {'CPU vs base':>11}"
    )
    numbers = []
    for row in rows:
        wall50, wall95, cpu50 = percentile(row.wall_ms, 0.5), percentile(row.wall_ms, 0.95), percentile(row.cpu_ms, 0.5)
        clean, noisy, total = row.wer(condition="clean"), row.wer(condition=snr_label), row.wer()
        print(
            f"{row.candidate.name:40} {clean:9.3f} {noisy:9.3f} {total:8.3f} {wall50:7.0f} {wall95:7.0f}"
            f" {cpu50:8.0f} {wall50 / base_wall:10.2f}x {cpu50 / base_cpu:10.2f}x"
        )
        per_voice: dict[str, dict[str, float]] = {
            voice: {c: row.wer(voice=voice, condition=c) for c in ("clean", snr_label)} for voice in voices
        }
        numbers.append(
            {
                "settings": row.candidate.name,
                "wer_clean": clean,
                "wer_noise": noisy,
                "wer_all": total,
                "p50_ms": wall50,
                "p95_ms": wall95,
                "cpu_p50_ms": cpu50,
                "wer_per_voice": per_voice,
                "transcripts": row.pairs,
            }
        )
    print(f"\nWER per voice (clean / {snr_label}):")
    print(f"{'settings':40} " + " ".join(f"{voice:>15}" for voice in voices))
    for row in rows:
        cells = [
            f"{row.wer(voice=v, condition='clean'):.2f} / {row.wer(voice=v, condition=snr_label):.2f}" for v in voices
        ]
        print(f"{row.candidate.name:40} " + " ".join(f"{cell:>15}" for cell in cells))
    return numbers
