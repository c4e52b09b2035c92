"""Token log of the worker's decoder: what each generation sampled and forced, and how close each choice was.

Used for the token logs and margins quoted in evals/results/README.md. Put this folder on the
PYTHONPATH of an eval run; the worker process inherits it, imports this file at start-up and
wraps `engine.decoding.Decoder` once that module is loaded:

    rm -f /tmp/token-log.jsonl
    PYTHONPATH=evals/results/token-log .venv/bin/python -m toolkit.evaluation --suite quick --agent llm \\
        --option request_timeout=600 --no-wandb --name <run>

Each line of /tmp/token-log.jsonl is one generation: its text, the end of its prompt, and its steps,
["F", forced text] or ["S", sampled text, tokens allowed, margin], the margin being the masked
logit of the chosen token minus the next best (a near tie is under ~0.3).
"""

import builtins
import json
import sys

LOG = "/tmp/token-log.jsonl"
_import = builtins.__import__
_patched = False


def _patch(decoding):
    import numpy as np

    decoder = decoding.Decoder
    decode, sample, forced = decoder.decode, decoder._sample, decoder._forced
    log = open(LOG, "a")

    def logged_decode(self, prompt, gbnf, **options):
        self._steps = []
        result = decode(self, prompt, gbnf, **options)
        tail = self._model.detokenize(prompt[-40:]).decode(errors="replace")
        log.write(json.dumps({"text": result.text, "prompt_tail": tail, "steps": self._steps}) + "\n")
        log.flush()
        return result

    def logged_sample(self, matcher, temperature):
        logits = self._last_logits()
        allowed = 0
        if matcher is not None:
            mask = self._allowed(matcher)
            logits[mask == 0] = -np.inf
            allowed = int(mask.sum())
        top = np.sort(logits)[-2:]
        margin = float(top[1] - top[0]) if np.isfinite(top[0]) else 99.0
        token = sample(self, matcher, temperature)
        self._steps.append(["S", self._model.detokenize([token]).decode(errors="replace"), allowed, round(margin, 3)])
        return token

    def logged_forced(self, matcher):
        tokens = forced(self, matcher)
        if tokens:
            self._steps.append(["F", self._model.detokenize(tokens).decode(errors="replace")])
        return tokens

    decoder.decode, decoder._sample, decoder._forced = logged_decode, logged_sample, logged_forced


def _hook(name, *args, **kwargs):
    global _patched
    module = _import(name, *args, **kwargs)
    decoding = sys.modules.get("engine.decoding")  # the worker imports the engine as `engine`
    if not _patched and decoding is not None and hasattr(decoding, "Decoder"):
        _patched = True
        _patch(decoding)
    return module


builtins.__import__ = _hook
