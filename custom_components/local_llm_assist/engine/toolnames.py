"""Tool names as Home Assistant gives them, and as the model sees them.

Home Assistant 2026.9+ names each tool after the integration that provides it
(`intent__HassTurnOn`, `light__HassLightSet`, `llm__GetDateTime`, `script__good_night`), and a merged
API puts the API's id in front of names that two APIs share (`assist__intent__HassTurnOn`). 2025.4
gives the bare names (`HassTurnOn`, `good_night`). Everything this project keys on a tool (the tool
order, notes and worked examples of the prompt, the verb tools, the guards, the eval's scoring)
uses the bare name, read with `bare_name` and nowhere else.

The model is shown the bare names on every version (see `model_names`): the prompt, the grammar and
so the model's answers stay the same from one Home Assistant to the next, results measured on one
hold on the other, and a small model is not handed a dozen `intent__` prefixes to copy. Each call
is mapped back to Home Assistant's name before it is made (model_tools.ModelTools.to_real_call).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

SEPARATOR = "__"


def bare_name(tool_name: str) -> str:
    """The tool's own name, without the integration or API prefixes newer Home Assistant adds."""
    return tool_name.rsplit(SEPARATOR, 1)[-1]


def model_names(given_names: Iterable[str]) -> dict[str, str]:
    """Home Assistant's name → the name the model sees: the bare name, unless another tool has the
    same one (two APIs with a tool of one name); then Home Assistant's own, unique name."""
    names = list(given_names)
    counts = Counter(bare_name(name) for name in names)
    return {name: bare_name(name) if counts[bare_name(name)] == 1 else name for name in names}
