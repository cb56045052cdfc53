from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """Assertions read the English source strings. LANGUAGE_CODE too, not only the override: the engine
    writes incidents and alerts from its database thread, where the test's activation does not reach."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
