from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """Assertions read the English source strings (LANGUAGE_CODE too, for work done in other threads)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def guard_data_dir(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Screenshots, integrity states and quarantines of one test are not seen by the next (same site names)."""
    settings.DATA_DIR = tmp_path_factory.mktemp("data")
