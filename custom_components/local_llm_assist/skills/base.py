"""What every skill is: a named tool with a parameter schema that answers with a ready sentence.

A small model is unreliable at paraphrasing data, so a skill does not leave the wording to it:
it returns the data and the sentence to speak, and the agent says that sentence as it is.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import voluptuous as vol
from homeassistant.core import Context, HomeAssistant

from ..engine.data import ToolExample
from ..engine.text import phrases
from ..spoken import async_sentence


@dataclass(frozen=True)
class SkillOrigin:
    """Who asked, from where: a conversation turn or an automation."""

    language: str
    context: Context | None = None
    device_id: str | None = None  # the satellite or speaker the request came from
    conversation_id: str | None = None

    @property
    def user_id(self) -> str | None:
        return self.context.user_id if self.context else None


@dataclass(frozen=True)
class SkillReply:
    speech: str
    data: dict[str, Any] = field(default_factory=dict)
    success: bool = True


class Skill(ABC):
    """One tool. `name` is what the model calls and what `run_skill` takes."""

    name: str
    feature: str  # the option that enables it; one feature may bring several tools
    description: str
    parameters: vol.Schema = vol.Schema({})
    # Worked examples for the prompt (skills/registry.py collects them): without one a small model
    # answers "what time is it" from its own guesses instead of calling the tool.
    examples: tuple[ToolExample, ...] = ()
    # Words or two-word phrases (engine/text.py) of which a request must say one for the skill to
    # run in a conversation turn; empty: any request may call it.
    asked_for_by: frozenset[str] = frozenset()

    def is_asked_for(self, request: str) -> bool:
        """Whether the request may be answered by this skill at all (a guard on the model's choice)."""
        return not self.asked_for_by or bool(phrases(request) & self.asked_for_by)

    def is_available(self, hass: HomeAssistant) -> bool:
        """Whether the home has what the skill needs; the model is only offered skills that can work."""
        return True

    @abstractmethod
    async def async_run(self, hass: HomeAssistant, arguments: dict[str, Any], origin: SkillOrigin) -> SkillReply:
        """Do the work; bad situations are a reply with success=False, not an exception."""

    @staticmethod
    async def async_fail(hass: HomeAssistant, origin: SkillOrigin, key: str, **placeholders: str) -> SkillReply:
        speech = await async_sentence(hass, origin.language, key, **placeholders)
        return SkillReply(speech, {"error": key}, success=False)
