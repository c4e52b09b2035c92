"""Whether llama.cpp itself accepts a grammar, as the worker will hand it over."""

from __future__ import annotations

from typing import Any

import llama_cpp


def llama_cpp_accepts(vocab: Any, grammar: str) -> bool:
    """What the worker does with a grammar: a NULL sampler means llama.cpp could not parse it.

    (LlamaGrammar.from_string only keeps the text; a grammar llama.cpp refuses would reach the
    sampler chain as NULL.)
    """
    sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode(), b"root")
    if not sampler:
        return False
    llama_cpp.llama_sampler_free(sampler)
    return True
