"""A worker that dies the way llama.cpp's AMX kernels die: SIGILL on the first multi-token prompt.

The real failure needs a CPU that advertises AMX to a build that uses it; the test machines have
AVX2 only, so it cannot be produced for real here. This is the closest stand-in: a
`sitecustomize` on the worker's PYTHONPATH (set for one test, read by the child process only)
makes llama-cpp-python's evaluation of a batch of more than one token send the process a real
SIGILL. The model loads as before, one-token evaluations still work, and the kernel ends the
worker exactly as with an illegal instruction. No product code knows about it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HOOK = """
import os
import signal

import llama_cpp

_evaluate = llama_cpp.Llama.eval


def _eval_like_a_cpu_without_amx(self, tokens):
    if len(tokens) > 1:
        os.kill(os.getpid(), signal.SIGILL)
    return _evaluate(self, tokens)


llama_cpp.Llama.eval = _eval_like_a_cpu_without_amx
"""


def make_workers_crash_on_multi_token_prompts(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """From now on, every new worker dies with SIGILL on its first prompt of more than one token."""
    (folder / "sitecustomize.py").write_text(HOOK)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])))
