"""Built-in skills: Home Assistant LLM tools of our own, also runnable from automations.

One folder per skill: `tool.py` is the Home Assistant tool (with its worked examples for the
prompt), beside it the skill's plain-Python logic, importable without Home Assistant. Adding a
skill is a new folder and a line in `registry.py` (a new option: its name in `settings.FEATURES`,
its texts in strings.json). `api.py` offers the enabled skills to agents as an LLM API next to
Assist, `runner.py` runs one and announces it.
"""
