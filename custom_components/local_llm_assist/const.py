"""Constants for the Local LLM Assist integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "local_llm_assist"
LOGGER = logging.getLogger(__package__)

CONF_MODEL_PATH: Final = "model_path"
# A LoRA adapter applied on top of the model file (a catalog model that ships one), and its strength.
CONF_ADAPTER_PATH: Final = "adapter_path"
CONF_ADAPTER_SCALE: Final = "adapter_scale"
CONF_MODEL_SHA256: Final = "model_sha256"
CONF_CATALOG_MODEL: Final = "catalog_model"
CONF_SHA256: Final = "sha256"
CONF_CONTEXT_SIZE: Final = "context_size"
# How the local model decodes under the grammar (engine/data.py LlmSettings.decoding). Not in the
# options form: the benchmark and the eval set it to compare against llama.cpp's own sampler.
CONF_DECODING: Final = "decoding"
CONF_PROMPT: Final = "prompt"
# "full" (default) or "compact", the short prompt for a model fine-tuned on the product's format.
CONF_PROMPT_STYLE: Final = "prompt_style"
CONF_TEMPERATURE: Final = "temperature"
CONF_MAX_TOKENS: Final = "max_tokens"
CONF_MAX_TOOL_ITERATIONS: Final = "max_tool_iterations"
CONF_REQUEST_TIMEOUT: Final = "request_timeout"
CONF_MAX_HISTORY: Final = "max_history_messages"
CONF_PREFER_LOCAL: Final = "prefer_local_intents"

DEFAULT_NAME: Final = "Local LLM Assist"
DEFAULT_CONTEXT_SIZE: Final = 4096
DEFAULT_PROMPT: Final = "You are a voice assistant for a smart home. Keep answers to one short sentence."
DEFAULT_TEMPERATURE: Final = 0.0
DEFAULT_MAX_TOKENS: Final = 128
DEFAULT_MAX_TOOL_ITERATIONS: Final = 3
DEFAULT_REQUEST_TIMEOUT: Final = 60.0
DEFAULT_MAX_HISTORY: Final = 8
DEFAULT_PREFER_LOCAL: Final = True

# Longer requests are refused before they reach the model: a spoken command is never this
# long, and a huge input would only fill the context window.
MAX_REQUEST_CHARS: Final = 1000

REPAIR_WORKER_CRASHING: Final = "worker_crashing"
REPAIR_SERVER_UNAVAILABLE: Final = "server_unavailable"

# Where the language model runs (entry data). Entries made before servers existed have no
# CONF_ENGINE: they run on this machine.
CONF_ENGINE: Final = "engine"
ENGINE_WORKER: Final = "worker"  # this machine: a GGUF file in our worker process
ENGINE_LLAMACPP_SERVER: Final = "llamacpp_server"
ENGINE_OPENAI: Final = "openai_compatible"
CONF_SERVER_URL: Final = "server_url"
CONF_SERVER_MODEL: Final = "server_model"
CONF_SERVER_API_KEY: Final = "server_api_key"  # a secret: redacted in diagnostics, never logged

# Native packages that run models on this machine. They are not manifest requirements: Home
# Assistant OS and the official container have no compiler to build llama-cpp-python, and a home
# whose models run on a server never needs them. They are installed on demand (see
# local_engine.py); requirements_local_engine.txt lists the same lines (tests/test_manifest.py).
LLAMA_CPP_REQUIREMENT: Final = "llama-cpp-python==0.3.36"
# Constrained decoding with jump-forward (engine/decoding.py); a prebuilt wheel, no compiler needed.
LLGUIDANCE_REQUIREMENT: Final = "llguidance==1.9.1"
FASTER_WHISPER_REQUIREMENT: Final = "faster-whisper==1.2.1"
LOCAL_ENGINE_REQUIREMENTS: Final = (LLAMA_CPP_REQUIREMENT, LLGUIDANCE_REQUIREMENT, FASTER_WHISPER_REQUIREMENT)

# Speech-to-text (options step "speech"); without a whisper model there is no STT entity.
CONF_WHISPER_MODEL_PATH: Final = "whisper_model_path"
CONF_WHISPER_LANGUAGE: Final = "whisper_language"
CONF_WHISPER_BEAM_SIZE: Final = "whisper_beam_size"
CONF_WHISPER_VAD_FILTER: Final = "whisper_vad_filter"
CONF_WHISPER_HOTWORDS: Final = "whisper_hotwords"
CONF_PIPELINE_ID: Final = "pipeline_id"  # in entry data: the Assist pipeline set-up created
AUTO_LANGUAGE: Final = "auto"
# Two beams: on short commands about a seventh fewer words wrong than one, for nearly the same work
# (scripts/bench stt --sweep, README "Benchmarks").
DEFAULT_WHISPER_BEAM_SIZE: Final = 2
DEFAULT_WHISPER_VAD_FILTER: Final = True
DEFAULT_WHISPER_HOTWORDS: Final = True
PIPELINE_NAME: Final = "Local LLM Assist"
# Skills (see skills/): which ones the agent is offered, and the news feeds.
CONF_SKILLS: Final = "skills"
CONF_NEWS_FEEDS: Final = "news_feeds"
SKILLS_API_ID: Final = "local_llm_assist_skills"
EVENT_SKILL_EXECUTED: Final = f"{DOMAIN}_skill_executed"
