"""Time and date skills: tool.py (Home Assistant) around days.py (plain Python: "next friday" → a date)."""
