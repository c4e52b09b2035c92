"""Jump-forward decoding, in this process on the default model: what the model is asked to choose."""

from __future__ import annotations

import re

import pytest
from llama_cpp import Llama

from custom_components.local_llm_assist.engine.decoding import Decoded, Decoder, GrammarCompiler, vocabulary_tokenizer
from toolkit.models import DEFAULT_LLM

ASK = b"<|im_start|>user\nName a digit, in JSON.<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def model() -> Llama:
    return Llama(model_path=str(DEFAULT_LLM), n_ctx=512, n_threads=2, verbose=False)


@pytest.fixture(scope="module")
def decoder(model: Llama) -> Decoder:
    return Decoder(model, GrammarCompiler(vocabulary_tokenizer(model)))


def answer(model: Llama, decoder: Decoder, gbnf: str, ask: bytes = ASK) -> Decoded:
    prompt = model.tokenize(ask, special=True)
    return decoder.decode(prompt, gbnf, temperature=0.0, max_tokens=16, cancelled=lambda: False, saved_prompts=False)


def test_openers_the_grammar_spells_out_are_not_sampled(model: Llama, decoder: Decoder) -> None:
    """`{"` and ` {"` could each be spelled in two tokens, a choice that decides nothing: only the two
    keys and the digit are sampled (six steps without the openers taken)."""
    gbnf = 'root ::= "{\\"" ("name" | "reply") "\\": {\\"" ("digit" | "number") "\\": " [0-9] "}}"'
    decoded = answer(model, decoder, gbnf)
    assert re.fullmatch(r'\{"(name|reply)": \{"(digit|number)": [0-9]\}\}', decoded.text), decoded.text
    assert decoded.sampled_tokens == 3
    assert decoded.forced_tokens == decoded.completion_tokens - 3


def test_a_space_before_a_number_is_not_taken_for_an_object_opener(model: Llama, decoder: Decoder) -> None:
    """The grammar forces only the space: taking ` {"` there would have ruled out the model's number."""
    ask = b'<|im_start|>user\nHow many legs does a cat have? Answer {"legs": <number>}.<|im_end|>\n'
    ask += b"<|im_start|>assistant\n"
    decoded = answer(model, decoder, 'root ::= "{\\"legs\\": " ([0-9] | "{\\"many\\": true}") "}"', ask)
    assert decoded.text == '{"legs": 4}'


def test_what_the_grammar_fixes_first_is_read_with_the_prompt(
    model: Llama, decoder: Decoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`{"` opens every answer: it goes into the prompt's batch, so there is one model call per
    sampled token and none of its own (the last sampled token needs none: the grammar ends there)."""
    calls: list[list[int]] = []
    evaluate = model.eval

    def counted(tokens: list[int]) -> None:
        calls.append(list(tokens))
        evaluate(tokens)

    monkeypatch.setattr(model, "eval", counted)
    gbnf = 'root ::= "{\\"" ("name" | "reply") "\\": {\\"" ("digit" | "number") "\\": " [0-9] "}}"'
    decoded = answer(model, decoder, gbnf)
    assert decoded.sampled_tokens == 3
    assert len(calls) == 3, [model.detokenize(tokens) for tokens in calls]
    assert model.detokenize(calls[0]).endswith(b'assistant\n{"')
