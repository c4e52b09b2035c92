"""Cost of one decode step and of further tokens in the same batch, by context length.

    OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=300 \
        .venv/bin/python evals/results/bench-threads-2026-12-01/decode_steps.py MODEL.gguf

(the worker's thread setting; prints the median of 5 timings per context and batch size)
"""

import statistics
import sys
import time

from llama_cpp import Llama

model = Llama(model_path=sys.argv[1], n_ctx=4096, n_threads=2, n_threads_batch=2, verbose=False)
text = model.tokenize(b"You are a helpful assistant that controls a smart home. " * 200)[:2000]
for context in (100, 400, 1350, 2000):
    model.n_tokens = 0
    model.eval(text[:context])
    for batch in (1, 4):
        timings = []
        for _ in range(5):
            model.n_tokens = context
            started = time.monotonic()
            model.eval(text[100 : 100 + batch])
            timings.append((time.monotonic() - started) * 1000)
        print(f"context {context} batch {batch}: median {statistics.median(timings):.1f} ms", flush=True)
