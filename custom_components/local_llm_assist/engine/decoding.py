"""Grammar-constrained decoding that skips the tokens the grammar forces (jump-forward), worker only.

Most bytes of a tool call are fixed by the grammar (engine/grammar.py): once the model has chosen
`{"name": "HassTu`, the rest of the name and `", "arguments": {"` can only be one thing. llama.cpp's
own grammar sampler still produces those tokens one by one, each a full decode step plus a grammar
check over the whole vocabulary. Here llguidance computes, after every sampled token, the tokens the
grammar forces next; they are evaluated together with the sampled token in one batch, so the model
spends a decode step only where it has a real choice, and the per-token grammar check is a bitmask.
What the grammar forces before the first choice is read in the prompt's own batch.
llguidance forces only the tokens every spelling of the forced bytes shares, so where those bytes
open an object (`{"`) and the only choice left is how to spell them, the opener's own token is
taken as forced too.

Sampling matches llama-cpp-python's: greedy at temperature 0 (the product's default), otherwise
top-k 40 and min-p 0.05 before the temperature, as its defaults are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import EngineError, GenerationCancelledError, PromptTooLongError
from .prefix_states import MIN_TOKENS_GAINED, MIN_TOKENS_TO_SAVE, PrefixStates, common_prefix_length

if TYPE_CHECKING:
    import numpy as np
    from llama_cpp import Llama
    from llguidance import LLMatcher, LLTokenizer

TOP_K = 40
MIN_P = 0.05
# The product's JSON opens objects with these. Where the grammar admits nothing but their bytes,
# llguidance still leaves the model a choice of spelling (`{"`, or `{` then `"`), so their own token
# is taken instead of a decode step. String openers (` "`) are left to the model: taking them moved
# a near tie on the quick suite (evals/results/README.md, "Openers spelled").
OPENERS = ('{"', ' {"')
MAX_CACHED_GRAMMARS = 8
# Prompt tokens evaluated per batch: big enough to keep the matrix multiplies efficient, small
# enough (about a second on a slow CPU) that a cancel is noticed quickly.
PROMPT_CHUNK = 128


class GrammarRejectedError(EngineError):
    """llguidance cannot compile the grammar; the caller falls back to llama.cpp's own sampler."""


@dataclass(frozen=True)
class Decoded:
    """What one decoding produced and how: `sampled` tokens were chosen, `forced` ones jumped over."""

    text: str
    completion_tokens: int
    sampled_tokens: int
    forced_tokens: int
    prompt_tokens: int
    cached_prompt_tokens: int
    prompt_ms: float
    generation_ms: float


class GrammarCompiler:
    """Turns the product's GBNF into llguidance matchers for one model's vocabulary, with a cache."""

    def __init__(self, tokenizer: LLTokenizer) -> None:
        self._tokenizer = tokenizer
        self._compiled: dict[str, LLMatcher] = {}

    def matcher(self, gbnf: str) -> LLMatcher:
        """A fresh matcher at the start of `gbnf` (compiled once, then copied)."""
        compiled = self._compiled.get(gbnf)
        if compiled is None:
            import llguidance

            compiled = llguidance.LLMatcher(self._tokenizer, llguidance.grammar_from("gbnf", gbnf))
            if compiled.is_error():
                raise GrammarRejectedError(compiled.get_error())
            if len(self._compiled) >= MAX_CACHED_GRAMMARS:
                self._compiled.pop(next(iter(self._compiled)))
            self._compiled[gbnf] = compiled
        return compiled.deep_copy()


def vocabulary_tokenizer(model: Llama) -> LLTokenizer:
    """llguidance's view of the model's vocabulary (about a second to build: once per loaded model)."""
    import llguidance.llamacpp

    return llguidance.llamacpp.lltokenizer_from_vocab(model._model.vocab)  # llama-cpp-python keeps the vocab private


@dataclass(frozen=True)
class Opener:
    """An opener that is one token, and every token that spells a start of its bytes."""

    token: int
    text: bytes
    spellings: frozenset[int]


def openers_of(model: Llama) -> list[Opener]:
    """The openers the model's vocabulary holds as one token."""
    found = []
    for opener in OPENERS:
        whole = model.tokenize(opener.encode(), add_bos=False, special=False)
        starts = [model.tokenize(opener[:end].encode(), add_bos=False, special=False) for end in range(1, len(opener))]
        if len(whole) == 1:
            spellings = frozenset([whole[0], *(start[0] for start in starts if len(start) == 1)])
            found.append(Opener(whole[0], opener.encode(), spellings))
    return found


class Decoder:
    """Runs generations on one loaded model, reusing its KV cache across prompts that share a prefix."""

    def __init__(self, model: Llama, compiler: GrammarCompiler, saved: PrefixStates | None = None) -> None:
        import llama_cpp
        import numpy

        self._llama_cpp = llama_cpp  # imported here, not once per token
        self._model = model
        self._compiler = compiler
        self._saved = saved
        self._numpy = numpy
        self._rng = numpy.random.default_rng()
        self._n_vocab = model.n_vocab()
        self._vocab = model._model.vocab  # llama-cpp-python keeps the vocab private
        self._openers = openers_of(model)

    def decode(
        self,
        prompt: list[int],
        gbnf: str | None,
        *,
        temperature: float,
        max_tokens: int,
        cancelled: Callable[[], bool],
        saved_prompts: bool = True,
    ) -> Decoded:
        """Answer `prompt` under `gbnf`; `saved_prompts`: load and save prompt states (prefix_states.py)."""
        room = self._model.n_ctx() - len(prompt)
        if room <= 0:
            raise PromptTooLongError(f"{len(prompt)} prompt tokens exceed the context of {self._model.n_ctx()}")
        max_tokens = min(max_tokens, room)  # as llama-cpp-python does: the answer gets what is left
        matcher = self._compiler.matcher(gbnf) if gbnf is not None else None
        started = time.monotonic()
        # What the grammar fixes before any choice (`{"`) is read in the prompt's batch: a decode
        # step of its own would only yield the logits of the first choice, which the batch gives too.
        output = self._forced(matcher)[:max_tokens]
        cached = self._evaluate_prompt(prompt + output, cancelled, self._saved if saved_prompts else None)
        prompt_done = time.monotonic()
        sampled = 0
        while not self._finished(output, max_tokens, matcher):
            if cancelled():
                raise GenerationCancelledError("the generation was cancelled")
            token = self._sample(matcher, temperature)
            if self._is_end(token):
                break
            sampled += 1
            self._consume(matcher, token)
            pending = [token, *self._forced(matcher)]
            output += pending
            if not self._finished(output, max_tokens, matcher):
                self._model.eval(pending)
        output = output[:max_tokens]
        finished = time.monotonic()
        return Decoded(
            text=self._model.detokenize(output).decode("utf-8", errors="replace"),
            completion_tokens=len(output),
            sampled_tokens=sampled,
            forced_tokens=len(output) - sampled,
            prompt_tokens=len(prompt),
            cached_prompt_tokens=cached,
            prompt_ms=(prompt_done - started) * 1000,
            generation_ms=(finished - prompt_done) * 1000,
        )

    @staticmethod
    def _finished(output: list[int], max_tokens: int, matcher: LLMatcher | None) -> bool:
        return len(output) >= max_tokens or (matcher is not None and matcher.is_stopped())

    def read_prompt(self, prompt: list[int], cancelled: Callable[[], bool], *, saved_prompts: bool = True) -> int:
        """Evaluate the prompt as `decode` does (in chunks, from the cache or a saved state) and stop
        there, for a sampler of another kind to answer; returns how many tokens it reused."""
        return self._evaluate_prompt(prompt, cancelled, self._saved if saved_prompts else None)

    def _evaluate_prompt(self, prompt: list[int], cancelled: Callable[[], bool], saved: PrefixStates | None) -> int:
        """Evaluate what the KV cache (or a saved state) does not already hold; returns how many
        tokens it reused.

        The last prompt token is always evaluated again, since its logits choose the first answer
        token. The rest goes in chunks, so a cancel is noticed within one chunk; what was evaluated
        before a cancel stays in the cache for the retry.
        """
        model = self._model
        reused = min(self._reusable(prompt, saved), len(prompt) - 1)
        model.n_tokens = reused
        for start in range(reused, len(prompt), PROMPT_CHUNK):
            if cancelled():
                raise GenerationCancelledError("the generation was cancelled while reading the prompt")
            model.eval(prompt[start : start + PROMPT_CHUNK])
        if saved is not None and len(prompt) - reused >= MIN_TOKENS_TO_SAVE:
            saved.save(model, prompt)
        return reused

    def _reusable(self, prompt: list[int], saved: PrefixStates | None) -> int:
        """How much of `prompt` the KV cache holds, after loading a saved state that holds more."""
        model = self._model
        held = common_prefix_length(list(model.input_ids[: model.n_tokens]), prompt)
        match = saved.best_match(prompt) if saved is not None else None
        if saved is None or match is None or match[1] < held + MIN_TOKENS_GAINED:
            return held
        return match[1] if saved.restore(model, match[0]) else 0

    def _consume(self, matcher: LLMatcher | None, token: int) -> None:
        if matcher is not None and not matcher.consume_token(token):
            raise EngineError(f"the grammar refused token {token}: {matcher.get_error()}")

    def _forced(self, matcher: LLMatcher | None) -> list[int]:
        """The tokens the grammar allows as the only continuation, consumed already."""
        if matcher is None:
            return []
        forced: list[int] = []
        while True:
            step: list[int] = matcher.compute_ff_tokens()
            if step and not matcher.consume_tokens(step):
                raise EngineError(f"the grammar refused its own forced tokens: {matcher.get_error()}")
            forced += step
            opener = None if matcher.is_stopped() else self._spelled_opener(matcher)
            if opener is None:
                return forced
            self._consume(matcher, opener)
            forced.append(opener)

    def _spelled_opener(self, matcher: LLMatcher) -> int | None:
        """An opener's token, when the grammar forces its bytes and allows no token but its spellings."""
        forced_bytes: bytes = matcher.compute_ff_bytes()
        fitting = [opener for opener in self._openers if forced_bytes.startswith(opener.text)]
        if not fitting:
            return None
        allowed = self._numpy.flatnonzero(self._allowed(matcher))
        for opener in fitting:
            if opener.token in allowed and opener.spellings.issuperset(int(token) for token in allowed):
                return opener.token
        return None

    def _allowed(self, matcher: LLMatcher) -> np.ndarray[Any, Any]:
        """One flag per vocabulary token: may the grammar take it next."""
        bits = self._numpy.frombuffer(matcher.compute_bitmask(), dtype=self._numpy.uint8)
        return self._numpy.unpackbits(bits, bitorder="little")[: self._n_vocab]

    def _is_end(self, token: int) -> bool:
        return bool(self._llama_cpp.llama_vocab_is_eog(self._vocab, token))

    def _sample(self, matcher: LLMatcher | None, temperature: float) -> int:
        logits = self._last_logits()
        if matcher is not None:
            logits[self._allowed(matcher) == 0] = -self._numpy.inf
        if temperature <= 0:
            return int(self._numpy.argmax(logits))
        return self._sample_with_temperature(logits, temperature)

    def _sample_with_temperature(self, logits: np.ndarray[Any, Any], temperature: float) -> int:
        numpy = self._numpy
        top = numpy.argpartition(logits, -TOP_K)[-TOP_K:]
        top = top[numpy.isfinite(logits[top])]
        probabilities = numpy.exp(logits[top] - logits[top].max())
        keep = probabilities >= MIN_P * probabilities.max()
        top, scaled = top[keep], logits[top][keep] / temperature
        weights = numpy.exp(scaled - scaled.max())
        return int(self._rng.choice(top, p=weights / weights.sum()))

    def _last_logits(self) -> np.ndarray[Any, Any]:
        row = self._llama_cpp.llama_get_logits_ith(self._model._ctx.ctx, -1)  # the live context, private in Llama
        return self._numpy.ctypeslib.as_array(row, shape=(self._n_vocab,)).copy()
