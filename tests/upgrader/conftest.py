"""Fixtures shared by the upgrader tests."""
from __future__ import annotations

import pytest

from tests.upgrader.multi_file import clear_groups


@pytest.fixture
def fresh_groups():
    """Multi-file tests: forget which files convert together before and after each test."""
    clear_groups()
    yield
    clear_groups()
