"""One decode step and a 20-token batch at 1,350 tokens of context, for each model file given.

    OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=300 \
        .venv/bin/python evals/results/weights-conversion/steps.py A.gguf B.gguf ... [--options JSON]

(the worker's thread setting; medians of 7 timings; list a file twice to see the drift of the machine;
--options: more keyword arguments for llama_cpp.Llama, e.g. '{"n_threads": 1, "n_threads_batch": 1}'
or '{"flash_attn": true, "type_k": 8, "type_v": 8}')
"""

import argparse
import json
import statistics
import time

from llama_cpp import Llama

CONTEXT = 1350

parser = argparse.ArgumentParser()
parser.add_argument("files", nargs="+")
parser.add_argument("--options", type=json.loads, default={})
args = parser.parse_args()
for path in args.files:
    options = {"n_threads": 2, "n_threads_batch": 2, **args.options}
    model = Llama(model_path=path, n_ctx=2048, verbose=False, **options)
    text = model.tokenize(b"You are a helpful assistant that controls a smart home. " * 200)[:1500]
    model.n_tokens = 0
    model.eval(text[:CONTEXT])
    medians = []
    for batch in (1, 20):
        timings = []
        for _ in range(7):
            model.n_tokens = CONTEXT
            started = time.monotonic()
            model.eval(text[100 : 100 + batch])
            timings.append((time.monotonic() - started) * 1000)
        medians.append(f"batch {batch}: {statistics.median(timings):.1f} ms")
    print(path.rsplit("/", 1)[-1], *medians, flush=True)
    del model
