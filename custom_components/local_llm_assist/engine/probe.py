"""A real short generation that proves a model runs on this machine, not only that it loads.

Loading a model touches few CPU kernels; evaluating a prompt of many tokens runs the batched
matrix multiplications, which is where a build that uses an instruction the CPU lacks dies
(llama.cpp's AMX kernels crash with SIGILL on the first prompt of more than one token). The
probe prompt is a small home of a few hundred tokens, laid out like the product's own prompt.
"""

from __future__ import annotations

from .data import ChatMessage, GenerationRequest, GenerationResult, LlmSettings
from .errors import EngineError

PROBE_CONTEXT_SIZE = 1024  # the probe prompt and its answer fit with room to spare
PROBE_MIN_PROMPT_TOKENS = 200  # what makes it a batched, multi-token evaluation
PROBE_TIMEOUT = 120.0  # a slow machine evaluates it in seconds; this is for a hung one

# 30 devices: about 250 prompt tokens, enough for batched evaluation, cheap at every set-up.
_AREAS = ("kitchen", "living room", "bedroom", "office", "hallway", "garage")
_DEVICES = ("ceiling light", "lamp", "blinds", "heater", "speaker")


def _probe_messages() -> list[ChatMessage]:
    devices = "\n".join(
        f"- {area} {device} ({'on' if (i + j) % 2 else 'off'})"
        for i, area in enumerate(_AREAS)
        for j, device in enumerate(_DEVICES)
    )
    system = (
        "You are a voice assistant for a smart home. Answer in one short sentence.\n"
        f"The home has these devices, each with its area and state:\n{devices}"
    )
    return [ChatMessage("system", system), ChatMessage("user", "Is the kitchen lamp on?")]


# Never from a saved prompt state: the point is to evaluate a batch of tokens on this CPU.
PROBE_REQUEST = GenerationRequest(
    messages=_probe_messages(), grammar=None, temperature=0.0, max_tokens=4, saved_prompts=False
)


def probe_settings(model_path: str) -> LlmSettings:
    return LlmSettings(model_path=model_path, context_size=PROBE_CONTEXT_SIZE)


def check_probe_result(result: GenerationResult) -> None:
    """The probe must really have evaluated a multi-token prompt and produced a token."""
    if result.prompt_tokens < PROBE_MIN_PROMPT_TOKENS or result.completion_tokens < 1:
        raise EngineError(
            f"the model evaluated {result.prompt_tokens} prompt tokens and produced "
            f"{result.completion_tokens}: it did not really answer the test prompt"
        )
