"""Fixtures of the engine tests."""

from collections.abc import Iterator
from typing import Any

import llama_cpp
import llguidance.llamacpp
import pytest

from toolkit.models import SMOKE_LLM


@pytest.fixture(scope="module")
def vocab() -> Iterator[Any]:
    """A real vocabulary: llama.cpp parses a grammar against one (vocab_only loads no weights)."""
    model = llama_cpp.Llama(model_path=str(SMOKE_LLM), vocab_only=True, verbose=False)
    yield model._model.vocab
    model.close()


@pytest.fixture(scope="module")
def tokenizer(vocab: Any) -> Any:
    """The same vocabulary as llguidance sees it, for checking what the decoder's grammar admits."""
    return llguidance.llamacpp.lltokenizer_from_vocab(vocab)
