"""Evaluated prompts saved to disk, so a restart does not read the static prompt again (worker only).

Reading the instructions, tools, devices and examples (about 2,000 tokens) is most of a cold
request: 10-30 s on a small CPU. llama.cpp can save its KV cache with the tokens it holds and load
it back in milliseconds. After a large prompt evaluation the decoder saves the state here; when a
later prompt (after a Home Assistant restart, an entry reload or a worker restart) shares more of its
beginning with a saved one than with what the KV cache holds, the decoder loads that state and
evaluates only the rest.

The states live beside the model file, in `.prompt-cache/<identity>/`, where <identity> hashes the
model file (path, size, modification time), the context size and llama-cpp-python's version: a
changed model or runtime never meets an old state. Each state is two files: `<hash>.state`
(llama.cpp's own format, tokens included) and `<hash>.tokens.json` (the tokens, read to choose a
state without loading it). A folder that cannot be written (a read-only model location) only
means nothing is saved. All the states beside one model folder take at most MAX_CACHE_BYTES (a
state is about 12 KB per prompt token for Qwen2.5 0.5B: 30 MB for a 2,400-token prompt); the least
recently used go first, so a changed home or context size leaves no old states behind for long.
The folder can be deleted at any time: it only costs one slow first request.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llama_cpp import Llama

_LOGGER = logging.getLogger(__name__)

CACHE_FOLDER = ".prompt-cache"
MAX_CACHE_BYTES = 160 * 1024 * 1024
# Only prompts with this many newly evaluated tokens are worth a file (a cold or changed prefix).
MIN_TOKENS_TO_SAVE = 256
# A saved state is loaded only when it spares at least this many tokens over the KV cache.
MIN_TOKENS_GAINED = 64


@dataclass(frozen=True)
class SavedPrefix:
    state_file: Path
    tokens: tuple[int, ...]


def common_prefix_length(first: tuple[int, ...] | list[int], second: list[int]) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


def cache_folder(model_path: str, context_size: int, adapter: str = "") -> Path:
    """Where the states of this model, context size, adapter (its identity, if any) and runtime version live."""
    import llama_cpp

    model = Path(model_path)
    stat = model.stat()
    identity = f"{model.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{context_size}|{llama_cpp.__version__}"
    identity += f"|{adapter}" if adapter else ""  # the base model's folder stays where it was
    return model.parent / CACHE_FOLDER / hashlib.sha256(identity.encode()).hexdigest()[:16]


class PrefixStates:
    """The saved prompt states of one loaded model."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._index: list[SavedPrefix] | None = None

    def best_match(self, prompt: list[int]) -> tuple[SavedPrefix, int] | None:
        """The saved state sharing the longest beginning with `prompt`, and that length."""
        best: tuple[SavedPrefix, int] | None = None
        for saved in self._saved():
            shared = common_prefix_length(saved.tokens, prompt)
            if shared > 0 and (best is None or shared > best[1]):
                best = (saved, shared)
        return best

    def restore(self, model: Llama, saved: SavedPrefix) -> bool:
        """Load `saved` into the model's context; False (and the KV cache emptied) if it cannot be."""
        import llama_cpp

        capacity = model.n_ctx()
        tokens = (llama_cpp.llama_token * capacity)()
        count = ctypes.c_size_t(0)
        loaded = llama_cpp.llama_state_load_file(
            model.ctx, str(saved.state_file).encode(), tokens, capacity, ctypes.byref(count)
        )
        if not loaded or list(tokens[: count.value]) != list(saved.tokens):
            _LOGGER.warning("Ignoring the saved prompt state %s: it does not load", saved.state_file)
            model.n_tokens = 0  # the next evaluation clears the whole KV cache
            self._forget(saved)
            return False
        model.input_ids[: count.value] = saved.tokens
        model.n_tokens = count.value
        with contextlib.suppress(OSError):
            os.utime(saved.state_file)  # most recently used
        return True

    def save(self, model: Llama, tokens: list[int]) -> None:
        """Save the model's KV cache, which holds exactly `tokens`. Failures only cost the saving."""
        import llama_cpp

        name = hashlib.sha256(json.dumps(tokens).encode()).hexdigest()[:24]
        state_file = self._folder / f"{name}.state"
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            partial = state_file.with_suffix(f".partial{os.getpid()}")
            array = (llama_cpp.llama_token * len(tokens))(*tokens)
            if not llama_cpp.llama_state_save_file(model.ctx, str(partial).encode(), array, len(tokens)):
                raise OSError(f"llama.cpp could not write {partial}")
            _tokens_file(state_file).write_text(json.dumps(tokens))
            partial.replace(state_file)  # the state appears whole or not at all
        except OSError as err:
            _LOGGER.debug("Prompt state not saved: %s", err)
            return
        self._index = None
        self._drop_least_recently_used()

    def _saved(self) -> list[SavedPrefix]:
        if self._index is None:
            self._index = []
            for state_file in sorted(self._folder.glob("*.state")):
                with contextlib.suppress(OSError, ValueError):
                    tokens = json.loads(_tokens_file(state_file).read_text())
                    self._index.append(SavedPrefix(state_file, tuple(int(token) for token in tokens)))
        return self._index

    def _drop_least_recently_used(self) -> None:
        """Keep the most recently used states (of every identity) within MAX_CACHE_BYTES."""
        kept_bytes = 0
        for index, state_file in enumerate(sorted(self._folder.parent.glob("*/*.state"), key=_last_used, reverse=True)):
            kept_bytes += _size(state_file)
            if index > 0 and kept_bytes > MAX_CACHE_BYTES:
                self._forget(SavedPrefix(state_file, ()))

    def _forget(self, saved: SavedPrefix) -> None:
        for path in (saved.state_file, _tokens_file(saved.state_file)):
            with contextlib.suppress(OSError):
                path.unlink()
        self._index = None


def _tokens_file(state_file: Path) -> Path:
    return state_file.with_suffix(".tokens.json")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _last_used(state_file: Path) -> float:
    try:
        return state_file.stat().st_mtime
    except OSError:
        return time.time()
