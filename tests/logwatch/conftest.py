from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """Assertions read the English source strings."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
