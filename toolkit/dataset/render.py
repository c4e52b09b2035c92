"""A request rendered as the product would send it to the model, and the text it must answer with."""

from __future__ import annotations

import json
from typing import Any

from custom_components.local_llm_assist.engine.data import ChatMessage, Device
from custom_components.local_llm_assist.engine.prompt import build_messages, call_message, reply_message
from custom_components.local_llm_assist.engine.toolcall import ToolCall

from .ha_home import HomeSession


def output_text(call: ToolCall | None, reply: str | None) -> str:
    """The model's output in the product's format (engine/prompt.py writes its own turns the same way)."""
    message = call_message(call.name, call.arguments) if call else reply_message(reply or "")
    return message.content


def messages(
    session: HomeSession, text: str, devices: list[Device], history: list[ChatMessage],
    pending: list[ChatMessage], here: str | None, output: str,
) -> list[dict[str, Any]]:  # fmt: skip
    plan = session.plan
    sent = build_messages(plan.system_prompt, plan.examples, history, text, devices, pending, here)
    return [{"role": m.role, "content": m.content} for m in sent] + [{"role": "assistant", "content": output}]


def dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=False)
