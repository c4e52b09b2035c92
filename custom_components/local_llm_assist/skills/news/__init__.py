"""News skill: tool.py (Home Assistant: fetching, caching) around feeds.py (plain Python: safe RSS/Atom parsing)."""
