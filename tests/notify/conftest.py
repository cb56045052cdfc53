from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from jagaweb import net
from jagaweb.notify.models import Channel
from jagaweb.people.choices import RoleKind
from tests.notify.receiver import Receiver, SmtpServer

TELEGRAM_TOKEN = "123456789:AAHfake-token_for-tests-only-0123456"


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """Assertions read the English source strings, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_net(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No waiting in tests: one attempt per request unless a test asks for more, short pauses."""
    settings.JAGAWEB_NET_RETRIES = 0
    settings.JAGAWEB_NET_TIMEOUT = 5
    monkeypatch.setattr(net, "BACKOFF_SECONDS", 0.01)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "notify"],
        }
    }


@pytest.fixture
def make_channel(db: Any) -> Callable[..., Channel]:
    def make(
        kind: str, config: dict[str, Any], secrets: dict[str, str] | None = None, **fields: Any
    ) -> Channel:
        fields.setdefault("name", f"{kind} {Channel.objects.count() + 1}")
        channel = Channel(kind=kind, config=config, **fields)
        channel.secrets = secrets or {}
        channel.save()
        return channel

    return make


@pytest.fixture
def webhook_channel(make_channel: Callable[..., Channel], receiver: Receiver) -> Channel:
    return make_channel(
        "webhook", {"url": receiver.url + "/hook", "method": "POST", "auth_header": "X-Token"},
        {"auth_value": "hook-secret-value"}, allow_private=True, name="Webhook",
    )


@pytest.fixture
def supervisor(make_user: Callable[..., Any]) -> Any:
    return make_user(RoleKind.SUPERVISOR, username="supervisor")


@pytest.fixture
def supervisor_client(supervisor: Any, client_for: Callable[[Any], Client]) -> Client:
    return client_for(supervisor)
