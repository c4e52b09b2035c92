"""Every example through the product's own checks: an example the product would refuse is a generator bug.

A target call must parse against the home's tools (engine/toolcall.py), name no unexposed device
(private_names.py) and come out of grounding unchanged (engine/grounding.py: the place rewrite,
the target guard, the unsaid-value guard). A spoken answer must parse, and the states it answers
from must be in the request.
"""

from __future__ import annotations

from custom_components.local_llm_assist.engine.data import ChatMessage
from custom_components.local_llm_assist.engine.grounding import Refusal, ground
from custom_components.local_llm_assist.engine.private_names import find_private_mention
from custom_components.local_llm_assist.engine.text import mentioned_names
from custom_components.local_llm_assist.engine.toolcall import Reply, ToolCall, parse_model_output
from custom_components.local_llm_assist.engine.utterance import Utterance
from custom_components.local_llm_assist.home_context import HomeContext
from custom_components.local_llm_assist.prompt_plan import PromptPlan


class GeneratorBug(Exception):
    """An example the product's own checks refuse: its template or its outcome is wrong."""


def check_output(output: str, plan: PromptPlan) -> ToolCall | Reply:
    try:
        return parse_model_output(output, plan.tools.specs)
    except Exception as err:
        raise GeneratorBug(f"the product's parser refuses {output!r}: {err}") from err


def check_call(
    call: ToolCall, text: str, history: list[ChatMessage], here: str | None, plan: PromptPlan, home: HomeContext
) -> None:
    """The checks a turn makes on a call before it is executed (turn.py): the call must pass unchanged."""
    if private := find_private_mention(text, home.exposed_names, home.private_names):
        raise GeneratorBug(f"{text!r} names the unexposed {private!r}: the product refuses it before the model")
    grounded = ground(call, Utterance(text, here, tuple(history)), plan.tools, home.names)
    if isinstance(grounded, Refusal):
        raise GeneratorBug(f"{text!r}: grounding refuses {call} ({grounded.reason})")
    if grounded.meant != call or grounded.to_make != call:
        raise GeneratorBug(f"{text!r}: grounding changes {call} to {grounded.meant}, made as {grounded.to_make}")


def check_answer_has_states(user_turn: str, names: list[str]) -> None:
    """An answer about devices is read from their states, so they must be shown with the request."""
    missing = [name for name in names if f"{name}: " not in user_turn]
    if missing:
        raise GeneratorBug(f"the answer speaks of {missing} but the request shows no state for them: {user_turn!r}")


def check_private_refusal(text: str, home: HomeContext) -> None:
    if not find_private_mention(text, home.exposed_names, home.private_names):
        raise GeneratorBug(f"{text!r}: the product would not refuse it as an unexposed device")


def check_unknown(text: str, home: HomeContext) -> None:
    if named := mentioned_names(text, home.exposed_names | home.private_names):
        raise GeneratorBug(f"{text!r} is meant to name no device of the home, but names {named}")
