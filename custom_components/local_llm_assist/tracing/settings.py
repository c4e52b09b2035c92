"""What the user chose for tracing (options flow), read from a config entry's data and options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

# Installed on demand when the user turns tracing on (requirements_optional.txt mirrors it;
# a test keeps the two equal).
WANDB_REQUIREMENT: Final = "wandb==0.31.0"

CONF_TRACING: Final = "tracing_enabled"
CONF_TRACING_MODE: Final = "tracing_mode"
CONF_WANDB_PROJECT: Final = "wandb_project"
CONF_WANDB_ENTITY: Final = "wandb_entity"
CONF_WANDB_BASE_URL: Final = "wandb_base_url"
CONF_TRACE_TEXT: Final = "trace_text"
CONF_WANDB_API_KEY: Final = "wandb_api_key"  # kept in entry.data: a credential, renewed by re-authentication

MODE_OFFLINE: Final = "offline"
MODE_ONLINE: Final = "online"
DEFAULT_PROJECT: Final = "local-llm-assist"
DEFAULT_BASE_URL: Final = "https://api.wandb.ai"
TRACES_FOLDER: Final = "local_llm_assist_traces"  # under the Home Assistant config directory

TracingMode = Literal["offline", "online"]


@dataclass(frozen=True)
class TracingSettings:
    enabled: bool = False
    mode: TracingMode = "offline"
    project: str = DEFAULT_PROJECT
    entity: str | None = None
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    include_text: bool = False  # prompts, transcripts, model output and replies

    @classmethod
    def from_entry(cls, data: Mapping[str, Any], options: Mapping[str, Any]) -> TracingSettings:
        return cls(
            enabled=bool(options.get(CONF_TRACING, False)),
            mode=MODE_ONLINE if options.get(CONF_TRACING_MODE) == MODE_ONLINE else MODE_OFFLINE,
            project=str(options.get(CONF_WANDB_PROJECT) or DEFAULT_PROJECT),
            entity=options.get(CONF_WANDB_ENTITY) or None,
            base_url=str(options.get(CONF_WANDB_BASE_URL) or DEFAULT_BASE_URL).rstrip("/"),
            api_key=data.get(CONF_WANDB_API_KEY) or None,
            include_text=bool(options.get(CONF_TRACE_TEXT, False)),
        )

    def __repr__(self) -> str:
        """Never show the key, even in a debug log of the settings."""
        return (
            f"TracingSettings(enabled={self.enabled}, mode={self.mode}, project={self.project!r}, "
            f"entity={self.entity!r}, base_url={self.base_url!r}, api_key={'set' if self.api_key else 'unset'}, "
            f"include_text={self.include_text})"
        )

    def redact(self, text: str) -> str:
        """Remove the API key from a message (an error from the W&B client, say) before it is shown."""
        return text.replace(self.api_key, "**REDACTED**") if self.api_key else text


@dataclass(frozen=True)
class ModelInfo:
    """The model whose turns are traced (the sha256 is computed by the writer when not pinned)."""

    name: str
    path: str
    sha256: str | None
