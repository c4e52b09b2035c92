"""Music skills: tool.py (Home Assistant: players, storage) around memory.py (plain Python: favourites, last played)."""
