"""Every example through the product's own checks: an example the product would refuse is a generator bug.

A target call must parse against the home's tools (engine/toolcall.py), name no unexposed device
(private_names.py), come out of the place rewrite unchanged (places.py), point at what was said
(the conversation's target guard) and keep every argument the unsaid-value guard looks at
(grounding.py). A spoken answer must parse, and the states it answers from must be in the request.
"""

from __future__ import annotations

from custom_components.local_llm_assist.conversation import _Turn
from custom_components.local_llm_assist.engine.data import ChatMessage
from custom_components.local_llm_assist.engine.grounding import drop_unsaid_arguments
from custom_components.local_llm_assist.engine.places import WrongDevice, rewrite_or_refuse, tool_reach
from custom_components.local_llm_assist.engine.private_names import find_private_mention
from custom_components.local_llm_assist.engine.text import mentioned_names, says_here
from custom_components.local_llm_assist.engine.toolcall import Reply, ToolCall, parse_model_output
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
    """The checks conversation.py makes on a call before it is executed, in its order."""
    if private := find_private_mention(text, home.exposed_names, home.private_names):
        raise GeneratorBug(f"{text!r} names the unexposed {private!r}: the product refuses it before the model")
    said_by_user = " ".join([text, *(m.content for m in history if m.role == "user")])
    spoken_place = here if here and says_here(text) else ""
    conversation_text = " ".join([text, spoken_place, *(m.content for m in history)])
    tools = plan.tools
    try:
        reach = tool_reach(tools, call.name, home.names)
        rewritten = rewrite_or_refuse(
            tools.light_set_as_switch(call, text), text, said_by_user, home.names, reach, here
        )
    except WrongDevice as err:
        raise GeneratorBug(f"{text!r}: the place check refuses {call}") from err
    if rewritten != call:
        raise GeneratorBug(f"{text!r}: the place check rewrites {call} to {rewritten}")
    if not _Turn._target_was_mentioned(call, f"{text} {spoken_place}", conversation_text, home):
        raise GeneratorBug(f"{text!r}: the target guard refuses {call}")
    if drop_unsaid_arguments(call.arguments, tools.schema(call.name), said_by_user) != call.arguments:
        raise GeneratorBug(f"{text!r}: the unsaid-value guard drops arguments of {call}")


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
