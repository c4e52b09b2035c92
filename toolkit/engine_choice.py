"""`--engine` for scripts/eval and scripts/bench: where the agent's model runs.

    --engine worker                                       the worker on this machine (the default)
    --engine llamacpp-server=http://127.0.0.1:8080        llama.cpp's server (GBNF grammar)
    --engine openai=http://127.0.0.1:8000/v1,model=NAME   an OpenAI-compatible server (JSON schema)
    …,api_key_env=VAR                                     the server's API key, read from $VAR

The key is never taken on the command line: commands are recorded with results.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from custom_components.local_llm_assist.const import (
    CONF_ENGINE,
    CONF_MODEL_PATH,
    CONF_SERVER_API_KEY,
    CONF_SERVER_MODEL,
    CONF_SERVER_URL,
    ENGINE_LLAMACPP_SERVER,
    ENGINE_OPENAI,
    ENGINE_WORKER,
)

KINDS = {"worker": ENGINE_WORKER, "llamacpp-server": ENGINE_LLAMACPP_SERVER, "openai": ENGINE_OPENAI}


@dataclass(frozen=True)
class EngineChoice:
    kind: str  # an ENGINE_* constant
    url: str | None = None
    model: str | None = None
    api_key_env: str | None = None

    @property
    def on_server(self) -> bool:
        return self.kind != ENGINE_WORKER

    def label(self) -> str:
        name = next(flag for flag, kind in KINDS.items() if kind == self.kind)
        return f"{name}={self.url}" if self.url else name

    def entry_data(self, model_path: Path) -> dict[str, Any]:
        """Config entry data for our agent: the model file, or the server (the file is then the server's business)."""
        if not self.on_server:
            return {CONF_MODEL_PATH: str(model_path)}
        data: dict[str, Any] = {CONF_ENGINE: self.kind, CONF_SERVER_URL: self.url}
        if self.model:
            data[CONF_SERVER_MODEL] = self.model
        if self.api_key_env:
            data[CONF_SERVER_API_KEY] = os.environ[self.api_key_env]
        return data


WORKER = EngineChoice(ENGINE_WORKER)


def parse_engine(text: str) -> EngineChoice:
    """argparse type for `--engine`."""
    head, *extras = text.split(",")
    flag, _, url = head.partition("=")
    if flag not in KINDS:
        raise argparse.ArgumentTypeError(f"unknown engine {flag!r}: one of {', '.join(KINDS)}")
    settings = dict(extra.split("=", 1) for extra in extras if "=" in extra)
    unknown = set(settings) - {"model", "api_key_env"}
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown engine settings {sorted(unknown)}")
    choice = EngineChoice(KINDS[flag], url or None, settings.get("model"), settings.get("api_key_env"))
    if choice.on_server and not choice.url:
        raise argparse.ArgumentTypeError(f"{flag} needs the server's URL: {flag}=http://host:port")
    if choice.kind == ENGINE_OPENAI and not choice.model:
        raise argparse.ArgumentTypeError("openai needs the model's name: openai=URL,model=NAME")
    if choice.api_key_env and choice.api_key_env not in os.environ:
        raise argparse.ArgumentTypeError(f"${choice.api_key_env} is not set")
    return choice
