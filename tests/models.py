"""Where the tests find the real model files (assembled by scripts/setup)."""

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent.parent / ".cache" / "models"
DEFAULT_LLM = MODELS_DIR / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
SMOKE_LLM = MODELS_DIR / "SmolLM2-135M-Instruct.Q4_1.gguf"
FAST_WHISPER = MODELS_DIR / "faster-whisper-tiny.en"
ACCURATE_WHISPER = MODELS_DIR / "faster-whisper-base"
