"""Calculator skill: tool.py (Home Assistant) around arithmetic.py (plain Python, never `eval`)."""
