"""Any OpenAI-compatible server: vLLM, Ollama (`/v1`), LM Studio, LocalAI, llama-cpp-python.

These take no GBNF, so the output is held to the product's format by a JSON schema built from
the same tool specs as the grammar (engine/output_schema.py), sent as `response_format`. The
standard form is `{"type": "json_schema", ...}`; llama-cpp-python's server (and a few older ones)
only take `{"type": "json_object", "schema": ...}`. When a server refuses the first form, the
request is retried once in the second, and a server that accepts it keeps getting it.
"""

from __future__ import annotations

from typing import Any

from ..data import GenerationRequest
from ..errors import ServerHttpError
from .chat_server import ChatServerEngine

SCHEMA_NAME = "assist_turn"
SCHEMA_REFUSED = (400, 422)  # how servers say "I do not know this response_format" (llama-cpp-python: 500)


def json_schema_format(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "schema": schema}}


def json_object_format(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "json_object", "schema": schema}


class OpenAiCompatibleEngine(ChatServerEngine):
    kind = "openai_compatible"
    only_json_object_form = False  # set once the server showed it takes only the older form

    def _constraint(self, request: GenerationRequest) -> dict[str, Any]:
        if request.output_schema is None:
            return {}
        form = json_object_format if self.only_json_object_form else json_schema_format
        return {"response_format": form(request.output_schema)}

    async def _post_chat(self, body: dict[str, Any], request: GenerationRequest) -> dict[str, Any]:
        try:
            return await super()._post_chat(body, request)
        except ServerHttpError as err:
            refused = err.status in SCHEMA_REFUSED or "response_format" in str(err)
            if request.output_schema is None or not refused or self.only_json_object_form:
                raise
            retry = {**body, "response_format": json_object_format(request.output_schema)}
            try:
                payload = await super()._post_chat(retry, request)
            except ServerHttpError:
                raise err from None  # refused for another reason: report the first answer
        self.only_json_object_form = True
        return payload
