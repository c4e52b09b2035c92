"""Weather skill: tool.py speaks the home's weather entity."""
