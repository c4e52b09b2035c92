"""A short real generation in the product's output format: proof that an engine can serve turns.

Loading a model, or a server answering a ping, says little; this asks for a real answer through
the same constraint every turn uses and parses it, so a server that is down, rejects the key, runs
a model that cannot follow the format, or ignores the constraint is caught at set-up.
"""

from __future__ import annotations

from ..data import ChatMessage, GenerationRequest, GenerationResult
from ..grammar import build_grammar
from ..output_schema import build_output_schema
from ..toolcall import parse_model_output
from .base import LlmEngine

PROBE_MAX_TOKENS = 48
PROBE_MESSAGES = [
    ChatMessage("system", 'You are a voice assistant. Answer with one JSON object: {"reply": "<what you say>"}.'),
    ChatMessage("user", "Say the word ready."),
]


async def probe_engine(engine: LlmEngine) -> GenerationResult:
    """Raises the engine's error, or InvalidModelOutputError when the answer is not in the format."""
    request = GenerationRequest(
        messages=PROBE_MESSAGES,
        grammar=build_grammar([]),
        output_schema=build_output_schema([]),
        temperature=0.0,
        max_tokens=PROBE_MAX_TOKENS,
    )
    result = await engine.generate(request)
    parse_model_output(result.text, [])
    return result
