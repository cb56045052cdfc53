"""The attack button on a sample site's page: who may press it, what it plants and queues, and the page that
follows the guard's check to the guard's page of the site."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jagaweb.activity.models import Event
from jagaweb.demo.attack import WEBSHELL
from jagaweb.demo.setup import OPERATOR
from jagaweb.inventory.models import Organisation
from jagaweb.people.choices import RoleKind
from tests.demo.attack_world import DemoWorld
from tests.demo.attack_world import demo_world as demo_world  # a fixture, requested by name

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings: Any) -> Any:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def operator(demo_world: DemoWorld) -> Any:
    """The demo's own operator (its user name is the one the shared fixture would take)."""
    return get_user_model().objects.get(username=OPERATOR)


@pytest.fixture
def operator_client(operator: Any, client_for: Any) -> Any:
    return client_for(operator)


def site_page(client: Any, slug: str) -> str:
    return client.get(reverse("inventory:site_detail", args=[slug])).content.decode()


def test_the_button_waits_for_the_guard_and_is_gone_while_the_site_is_off(demo_world: DemoWorld,
                                                                          operator_client: Any) -> None:
    slug = demo_world.attacked.slug
    page = site_page(operator_client, slug)
    assert reverse("demo:site_attack", args=[slug]) in page and "still being prepared" in page
    assert 'type="submit" disabled>Attack this site' in page
    demo_world.prepare()
    page = site_page(operator_client, slug)
    assert "still being prepared" not in page and 'type="submit">Attack this site' in page
    demo_world.attacked.stop()
    assert reverse("demo:site_attack", args=[slug]) not in site_page(operator_client, slug)


def test_pressing_it_plants_the_attack_and_queues_a_check_in_the_users_name(demo_world: DemoWorld, operator: Any,
                                                                            operator_client: Any) -> None:
    site = demo_world.prepare()
    response = operator_client.post(reverse("demo:site_attack", args=[site.slug]))
    task = DBTaskResult.objects.get()
    assert task.task_path == "jagaweb.guard.tasks.check_now" and task.args_kwargs["args"] == [site.pk, operator.pk]
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('demo:site_attack', args=[site.slug])}?task={task.id}"
    assert (demo_world.attacked.web_root / WEBSHELL).is_file()
    event = Event.objects.get(verb="demo.attacked")
    assert event.actor == operator and event.site == site

    waiting = operator_client.get(response["Location"])
    body = waiting.content.decode()
    assert waiting.status_code == 200 and WEBSHELL in body and "never run" in body
    assert operator_client.get(response["Location"], HTTP_HX_REQUEST="true").status_code == 204
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.SUCCESSFUL, return_value=1)
    done = operator_client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == reverse("guard:site", args=[site.slug])
    assert operator_client.get(response["Location"])["Location"] == reverse("guard:site", args=[site.slug])


def test_an_attack_before_the_guard_is_ready_is_refused_with_the_reason(demo_world: DemoWorld,
                                                                         operator_client: Any) -> None:
    slug = demo_world.attacked.slug
    response = operator_client.post(reverse("demo:site_attack", args=[slug]), follow=True)
    assert "still being prepared" in response.content.decode()
    assert not DBTaskResult.objects.exists() and not (demo_world.attacked.web_root / WEBSHELL).exists()


def test_only_who_may_change_the_site_and_sees_it_may_attack_it(demo_world: DemoWorld, make_user: Any,
                                                               client_for: Any) -> None:
    site = demo_world.prepare()
    url = reverse("demo:site_attack", args=[site.slug])
    member = make_user(RoleKind.ORG_MEMBER, organisation=site.organisation)
    assert client_for(member).post(url).status_code == 403
    elsewhere = Organisation.objects.create(name="Dinas Lain", code="dinas-lain")
    outsider = make_user(RoleKind.OPERATOR, organisation=elsewhere)
    assert client_for(outsider).post(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    assert not (demo_world.attacked.web_root / WEBSHELL).exists() and not DBTaskResult.objects.exists()
