"""Shared pytest fixtures."""

import pytest

# Import the namespace package now, while sys.path holds only the repo root and
# tests/testing_config (pyproject's pythonpath). Otherwise Home Assistant's loader
# imports `custom_components` itself with the test plugin's config dir first on
# sys.path, finds that dir's regular package, and neither of ours is visible.
import custom_components  # noqa: F401


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load integrations from custom_components in every test."""
