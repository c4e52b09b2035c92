"""Whether llama.cpp itself accepts a grammar, as the worker will hand it over."""

from __future__ import annotations

from typing import Any

import llama_cpp
import llguidance


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


def grammar_admits(tokenizer: Any, grammar: str, text: str) -> bool:
    """Whether llguidance, as the decoder uses it, lets the model write `text` whole under `grammar`."""
    matcher = llguidance.LLMatcher(tokenizer, llguidance.grammar_from("gbnf", grammar))
    tokens = tokenizer.tokenize_str(text)
    return matcher.validate_tokens(tokens) == len(tokens) and matcher.consume_tokens(tokens) and matcher.is_accepting()
