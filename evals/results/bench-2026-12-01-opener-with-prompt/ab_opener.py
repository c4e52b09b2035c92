"""A/B: the answer's forced opener read in the prompt's batch (now) vs in a decode call of its own (before).

From the checkout root, with the decoder of commit 6d4c93e copied beside the current one:
    git show 6d4c93e:custom_components/local_llm_assist/engine/decoding.py > custom_components/local_llm_assist/engine/_decoding_before.py
    PYTHONPATH=. .venv/bin/python evals/results/bench-2026-12-01-opener-with-prompt/ab_opener.py ROUNDS
(then delete _decoding_before.py). Same model, same KV cache, the two decoders alternating per request.
"""

import statistics
import sys
import time

from llama_cpp import Llama

from custom_components.local_llm_assist.engine import _decoding_before as old
from custom_components.local_llm_assist.engine import decoding as new
from toolkit.models import DEFAULT_LLM

model = Llama(model_path=str(DEFAULT_LLM), n_ctx=4096, n_threads=2, verbose=False)
tok = old.vocabulary_tokenizer(model)
decoders = {"before": old.Decoder(model, old.GrammarCompiler(tok)), "now": new.Decoder(model, new.GrammarCompiler(tok))}
lines = [
    f"- {room} {thing}: {kind} in {room}"
    for room in ("Kitchen", "Bedroom", "Office", "Hallway", "Garage", "Living Room", "Porch", "Attic")
    for thing, kind in (
        ("Light", "light"),
        ("Lamp", "light"),
        ("Fan", "fan"),
        ("Blinds", "cover"),
        ("Speaker", "media_player"),
        ("Heater", "climate"),
        ("Plug", "switch"),
    )
]
system = "You are a voice assistant.\nDevices:\n" + "\n".join(lines * 5)
names = sorted({l[2:].split(":")[0] for l in lines})
gbnf = (
    'root ::= "{\\"" ("name\\": \\"HassTurnO" ("n" | "ff") "\\", \\"arguments\\": {\\"name\\": " ('
    + " | ".join('"\\"%s\\""' % n for n in names)
    + ') "}}" | "reply\\": \\"ok\\"}")'
)
requests = [f"Current states: {n}: off\nRequest: turn on the {n.lower()}" for n in names[:12]]


def prompt(r):
    text = f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{r}<|im_end|>\n<|im_start|>assistant\n"
    return model.tokenize(text.encode(), add_bos=False, special=True)


print("prompt tokens", len(prompt(requests[0])))
times = {k: [] for k in decoders}
texts = {k: [] for k in decoders}
for round_ in range(int(sys.argv[1])):
    for r in requests:
        for k in ("before", "now") if round_ % 2 == 0 else ("now", "before"):
            p = prompt(r)
            t = time.perf_counter()
            d = decoders[k].decode(
                p, gbnf, temperature=0.0, max_tokens=64, cancelled=lambda: False, saved_prompts=False
            )
            times[k].append((time.perf_counter() - t) * 1000)
            texts[k].append(d.text)
print("same texts:", texts["before"] == texts["now"])
for k, v in times.items():
    print(k, "p50 %.1f ms  mean %.1f ms" % (statistics.median(v), statistics.mean(v)))
print("now/before p50 %.3f" % (statistics.median(times["now"]) / statistics.median(times["before"])))
