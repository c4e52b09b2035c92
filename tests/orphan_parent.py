"""Stands in for Home Assistant in tests/test_orphans.py: starts a worker on a long job and waits for it.

Run as `python tests/orphan_parent.py MODEL_FILE`: prints the worker's pid once the model is
loaded and the job has been sent, then waits for an answer that (with a test killing this
process) never comes.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "custom_components" / "local_llm_assist"))

from engine.data import ChatMessage, GenerationRequest, LlmSettings
from engine.worker import WorkerClient

# Exactly this many letters: the model cannot stop early, so the generation takes tens of seconds.
LONG_ANSWER = "root ::= [a-z]{2000}"


async def main(model_path: str) -> None:
    client = WorkerClient(request_timeout=600)
    model = LlmSettings(model_path=model_path, context_size=4096)
    await client.load_llm(model)
    request = GenerationRequest([ChatMessage("user", "Write a long word.")], grammar=LONG_ANSWER, max_tokens=2000)
    job = asyncio.ensure_future(client.generate(model, request))
    await asyncio.sleep(0.5)  # the request is written and the worker is generating
    print(client.pid, flush=True)
    result = await job
    print(f"done: {result.completion_tokens} tokens in {result.generation_ms:.0f} ms", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
