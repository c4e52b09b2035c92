"""One decode step and a 20-token batch at 1,350 tokens of context, for each model file given.

    OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=300 \
        .venv/bin/python evals/results/weights-conversion/steps.py A.gguf B.gguf ...

(the worker's thread setting; medians of 7 timings; list a file twice to see the drift of the machine)
"""

import statistics
import sys
import time

from llama_cpp import Llama

CONTEXT = 1350

for path in sys.argv[1:]:
    model = Llama(model_path=path, n_ctx=2048, n_threads=2, n_threads_batch=2, verbose=False)
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
