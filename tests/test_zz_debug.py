import logging
from homeassistant.core import HomeAssistant
from .helpers import ask, speech

async def test_debug(home: HomeAssistant, agent, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="custom_components.local_llm_assist")
    for q in ["make the living room lamp red", "turn off the lights in the living room"]:
        r = await ask(home, q)
        print("\n#####", q, "->", speech(r))
    for rec in caplog.records:
        if rec.name.startswith("custom_components.local_llm_assist") and "Generated" in rec.getMessage():
            print(rec.getMessage())
