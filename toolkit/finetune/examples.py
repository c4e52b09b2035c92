"""Dataset examples as the tokens the worker evaluates, plus where the answer starts.

A dataset line is {"id", "home", "kind", "family", "messages"}: the messages the product sends
the model, then one assistant message with the exact text it must output. Both are rendered by
engine/llm.py's own code (the GGUF's chat template through llama-cpp-python, llama.cpp's
tokenizer), so the prompt part is token for token what the worker evaluates; this is checked for
every example, not assumed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from custom_components.local_llm_assist.engine.data import ChatMessage
from custom_components.local_llm_assist.engine.llm import chat_formatter, chat_tokens

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter


class TemplateMismatchError(ValueError):
    """The chat template does not render prompt + answer as the prompt followed by the answer."""


@dataclass(frozen=True)
class Encoded:
    id: str
    tokens: list[int]
    target_start: int  # tokens[target_start:] are the answer and its end-of-turn token

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "tokens": self.tokens, "target_start": self.target_start}


@dataclass
class Tokenizer:
    llama: Llama
    formatter: Jinja2ChatFormatter

    def encode(self, example_id: str, messages: list[ChatMessage]) -> Encoded:
        if not messages or messages[-1].role != "assistant":
            raise ValueError(f"{example_id}: the last message must be the assistant's answer")
        prompt = chat_tokens(self.llama, self.formatter, messages[:-1])
        whole = chat_tokens(self.llama, self.formatter, messages)
        if whole[: len(prompt)] != prompt:
            raise TemplateMismatchError(f"{example_id}: the answer's rendering changes the prompt's tokens")
        end = self._end_of_turn(whole, len(prompt), example_id)
        return Encoded(example_id, whole[: end + 1], len(prompt))

    def _end_of_turn(self, tokens: list[int], start: int, example_id: str) -> int:
        """The template closes the answer with the end-of-generation token; what follows it is the next turn."""
        import llama_cpp

        vocab = self.llama._model.vocab
        for index in range(start, len(tokens)):
            if llama_cpp.llama_vocab_is_eog(vocab, tokens[index]):  # as llama.cpp decides when to stop
                return index
        raise TemplateMismatchError(f"{example_id}: the template does not end the answer with an end-of-turn token")


@contextmanager
def tokenizer(model_path: Path) -> Iterator[Tokenizer]:
    """The model's vocabulary and chat template only (no weights are loaded)."""
    from llama_cpp import Llama

    llama = Llama(model_path=str(model_path), vocab_only=True, verbose=False)
    try:
        yield Tokenizer(llama, chat_formatter(llama))
    finally:
        llama.close()


def read_dataset(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def messages_of(row: dict[str, Any]) -> list[ChatMessage]:
    return [ChatMessage(message["role"], message["content"]) for message in row["messages"]]


def encode_file(source: Path, target: Path, model_path: Path) -> list[Encoded]:
    """Tokenize a dataset file into a token file for toolkit/finetune/train.py."""
    with tokenizer(model_path) as tokens:
        encoded = [tokens.encode(row["id"], messages_of(row)) for row in read_dataset(source)]
    target.write_text("".join(json.dumps(example.as_json()) + "\n" for example in encoded))
    return encoded


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
