"""Encode a spoken command's own seconds, not whisper's whole 30-second window.

Whisper's encoder always takes 30 s of audio: faster-whisper pads the log-mel features of a 3 s
command with 27 s of zeros, and encoding them is most of the time a command takes on a small CPU
(self-attention grows with the square of the length). CTranslate2 encodes a shorter input, but
whisper then mis-hears and repeats itself: its decoder learned to find the end of the speech by
reaching the silence that fills the rest of the window. So the window is cut to `window_seconds`
(at least the speech itself), and the encoder's output for the padding beyond it, which hardly
depends on the speech, is computed once per model and appended: the decoder still sees 30 s, the
encoder only works on the part that holds the command. `scripts/bench stt` measured the window
against word error rates (README, "Benchmarks").

Imported only in the worker (it needs faster-whisper).
"""

from __future__ import annotations

from typing import Any

import ctranslate2
import numpy as np
import numpy.typing as npt
from faster_whisper import WhisperModel

FULL_WINDOW_FRAMES = 3000  # whisper's 30 s window, in 10 ms feature frames
FRAMES_PER_SECOND = 100
Features = npt.NDArray[np.float32]


def content_frames(features: Features) -> int:
    """Frames before faster-whisper's padding, which is exactly zero in every mel band.

    A real frame is never all zero: its values are log-mel energies scaled to about [-1.5, 1.5],
    and silence sits at the bottom of that range, not at 0.
    """
    spoken = np.flatnonzero(np.any(features != 0, axis=0))
    return int(spoken[-1]) + 1 if spoken.size else 0


def window_frames(frames: int, window_seconds: float) -> int:
    """The frames to encode: the window, or all of the audio when it is longer, in whole seconds."""
    needed = max(frames, round(window_seconds * FRAMES_PER_SECOND))
    whole_seconds = -(-needed // FRAMES_PER_SECOND) * FRAMES_PER_SECOND
    return min(FULL_WINDOW_FRAMES, whole_seconds)


class SpeechWindowWhisper(WhisperModel):  # type: ignore[misc]  # faster-whisper has no type hints
    """faster-whisper whose encoder sees at most `window_seconds` beyond nothing but padding."""

    def __init__(self, model_path: str, *, window_seconds: float, **kwargs: Any) -> None:
        if not 1 <= window_seconds <= FULL_WINDOW_FRAMES / FRAMES_PER_SECOND:
            raise ValueError(f"window_seconds must be between 1 and 30, not {window_seconds}")
        super().__init__(model_path, **kwargs)
        self.window_seconds = window_seconds
        self._padding_output: Features | None = None

    def encode(self, features: Features) -> ctranslate2.StorageView:
        if features.ndim != 2:  # a batch (faster-whisper's batched pipeline, not used here)
            return super().encode(features)
        frames = window_frames(content_frames(features), self.window_seconds)
        if frames >= features.shape[-1]:
            return super().encode(features)
        spoken = np.asarray(super().encode(np.ascontiguousarray(features[..., :frames])))
        padding = self._padding()[:, spoken.shape[1] :, :]
        return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.concatenate([spoken, padding], axis=1)))

    def _padding(self) -> Features:
        """The encoder's output for a window of nothing but padding (computed on first use, then kept)."""
        if self._padding_output is None:
            silent = np.zeros((self.model.n_mels, FULL_WINDOW_FRAMES), dtype=np.float32)
            self._padding_output = np.asarray(super().encode(silent))
        return self._padding_output
