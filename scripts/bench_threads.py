"""How llama.cpp's OpenMP threads should wait at barriers, on idle and on busy cores.

    .venv/bin/python -m scripts.bench_threads [--model PATH] [--rounds N]

Each setting runs in a fresh process (OpenMP reads its environment once): the model reads a
1,350-token prompt, then times 40 more prompt tokens in one batch and 8 single tokens (a
generation's decode steps), with 0, 1 and 2 other processes spinning on the cores. Prints the
median over rounds and the ratio to fully passive waiting, the worker's setting before
engine/worker.py's OPENMP_SPIN_ROUNDS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from custom_components.local_llm_assist.engine.worker import OPENMP_SPIN_ROUNDS
from toolkit.models import DEFAULT_LLM

SETTINGS = {
    "spinning (OpenMP default)": {},
    "passive": {"OMP_WAIT_POLICY": "PASSIVE"},
    f"passive after {OPENMP_SPIN_ROUNDS} spins (worker)": {
        "OMP_WAIT_POLICY": "PASSIVE",
        "GOMP_SPINCOUNT": str(OPENMP_SPIN_ROUNDS),
    },
}
BASELINE = "passive"

# Runs in the measured process: prints {"prompt_ms": …, "tokens_ms": …}.
MEASURE = """
import json, os, sys, time
from llama_cpp import Llama
threads = os.cpu_count() or 2  # as the worker chooses (engine/llm.py)
model = Llama(model_path=sys.argv[1], n_ctx=4096, n_threads=threads, n_threads_batch=threads, verbose=False)
text = model.tokenize(b"You are a helpful assistant that controls a smart home. " * 200)[:1400]
model.eval(text[:1300])
started = time.monotonic()
model.eval(text[1300:1340])
prompt_done = time.monotonic()
for token in text[1340:1348]:
    model.eval([token])
print(json.dumps({"prompt_ms": (prompt_done - started) * 1000, "tokens_ms": (time.monotonic() - prompt_done) * 1000}))
"""


@contextmanager
def busy_cores(count: int) -> Iterator[None]:
    """`count` processes that keep a core each busy, as another add-on would."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def measure(model: Path, environment: dict[str, str]) -> dict[str, float]:
    parent = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(model)],
        env={**parent, **environment},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=DEFAULT_LLM)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("| cores busy | waiting | 40-token prompt ms | 8 tokens ms | vs passive |")
    print("| --- | --- | --- | --- | --- |")
    for busy in (0, 1, 2):
        with busy_cores(busy):
            medians = {}
            for name, environment in SETTINGS.items():
                runs = [measure(args.model, environment) for _ in range(args.rounds)]
                medians[name] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        base = medians[BASELINE]
        for name, median in medians.items():
            ratio = f"{median['prompt_ms'] / base['prompt_ms']:.2f}x / {median['tokens_ms'] / base['tokens_ms']:.2f}x"
            print(f"| {busy} | {name} | {median['prompt_ms']:.0f} | {median['tokens_ms']:.0f} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
