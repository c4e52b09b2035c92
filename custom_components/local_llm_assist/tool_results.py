"""What a tool's result says happened: done (and to which devices), failed (and why), or an answer.

The result arrives in one shape on every Home Assistant version (compat.tool_result_data); this
is where the turn reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .skills.runner import spoken_reply

# Targets Home Assistant lists beside the devices it acted on ("Bedroom" for "the bedroom lights").
PLACE_TARGETS = frozenset({"area", "floor", "domain", "device_class"})


@dataclass(frozen=True)
class ToolFailure:
    not_found: bool  # no device matched the call's targets
    reason: str = ""  # Home Assistant's own words for why, when it has them for people


# Home Assistant's errors for targets it could not match, as a tool result or an intent error code.
NOT_FOUND_ERRORS = frozenset({"MatchFailedError", "NoStatesMatchedError"})
NOT_FOUND_CODES = frozenset({"no_valid_targets", "no_intent_match"})
# Errors whose text Home Assistant words for people ("Accepted range is 7 to 35").
ERRORS_FOR_PEOPLE = frozenset({"ServiceValidationError"})


def tool_failure(result: Any) -> ToolFailure | None:
    """How a tool call failed, from Home Assistant's result; None when it did not."""
    if not isinstance(result, dict) or spoken_reply(result) is not None:
        return None  # skills word their own failures
    if error := result.get("error"):
        reason = str(result.get("error_text", "")) if error in ERRORS_FOR_PEOPLE else ""
        return ToolFailure(not_found=error in NOT_FOUND_ERRORS, reason=reason)
    if result.get("response_type") == "error":
        code = (result.get("data") or {}).get("code")
        return ToolFailure(not_found=code in NOT_FOUND_CODES)
    if result.get("success") is False:
        return ToolFailure(not_found=False)
    return None


def confirmed_targets(result: Any) -> list[str]:
    """The devices an intent acted on when it fully succeeded; empty for anything else (errors, answers)."""
    data = result.get("data") if isinstance(result, dict) else None
    if not isinstance(data, dict) or result.get("response_type") != "action_done" or data.get("failed"):
        return []
    return [
        target["name"]
        for target in data.get("success", [])
        if target.get("name") and target.get("type") not in PLACE_TARGETS
    ]
