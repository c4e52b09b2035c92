"""Fixtures of the engine tests."""

from collections.abc import Iterator
from typing import Any

import llama_cpp
import pytest

from toolkit.models import SMOKE_LLM


@pytest.fixture(scope="module")
def vocab() -> Iterator[Any]:
    """A real vocabulary: llama.cpp parses a grammar against one (vocab_only loads no weights)."""
    model = llama_cpp.Llama(model_path=str(SMOKE_LLM), vocab_only=True, verbose=False)
    yield model._model.vocab
    model.close()
