from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture
def english(settings: Any) -> Iterator[None]:
    """Assertions read the English source strings (LANGUAGE_CODE too, for pages and work in other threads)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
