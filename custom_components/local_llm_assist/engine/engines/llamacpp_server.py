"""llama.cpp's HTTP server (`llama-server`, or llama-cpp-python's `python -m llama_cpp.server`).

It takes the product's own GBNF grammar, so the output is held to exactly what the worker's
is. `cache_prompt` asks the server to keep the evaluated prompt in its KV cache and evaluate only
what follows the longest common prefix next time; the static-first prompt makes that prefix long.
"""

from __future__ import annotations

from typing import Any

from ..data import GenerationRequest
from .chat_server import ChatServerEngine


class LlamaCppServerEngine(ChatServerEngine):
    kind = "llamacpp_server"

    def _constraint(self, request: GenerationRequest) -> dict[str, Any]:
        # repeat_penalty as in the worker (llama-cpp-python's server defaults to 1.1, which changes
        # even greedy answers: the eval measured one case going wrong with it).
        fields: dict[str, Any] = {"cache_prompt": True, "repeat_penalty": 1.0}
        if request.grammar is not None:
            fields["grammar"] = request.grammar
        return fields
