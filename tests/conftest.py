"""Shared fixtures: a throwaway data directory, organisations, sites, and users holding each role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from jagaweb.inventory.models import Organisation, Site, ThirdParty
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Membership, Role


@pytest.fixture
def org_a(db: Any) -> Organisation:
    return Organisation.objects.create(name="Dinas Komunikasi dan Informatika", code="diskominfo")


@pytest.fixture
def org_b(db: Any) -> Organisation:
    return Organisation.objects.create(name="Dinas Pendidikan", code="disdik")


@pytest.fixture
def site_a(org_a: Organisation) -> Site:
    return Site.objects.create(slug="kominfo", name="Portal Kominfo", url="http://127.0.0.1:8081/", organisation=org_a)


@pytest.fixture
def site_b(org_b: Organisation) -> Site:
    return Site.objects.create(slug="disdik", name="Portal Disdik", url="http://127.0.0.1:8082/", organisation=org_b)


@pytest.fixture
def hosting(db: Any) -> ThirdParty:
    return ThirdParty.objects.create(name="Jagoan Hosting", kind="hosting")


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """make_user(RoleKind.OPERATOR, organisation=None, third_party=None, username=...)"""
    counter = {"n": 0}

    def make(kind: RoleKind | None = None, **scope: Any) -> Any:
        counter["n"] += 1
        username = scope.pop("username", f"{kind or 'plain'}-{counter['n']}")
        user = get_user_model().objects.create_user(username, f"{username}@example.go.id", "Rahasia-123!")
        if kind is not None:
            Membership.objects.create(user=user, role=Role.objects.get(kind=kind), **scope)
        return user

    return make


@pytest.fixture
def client_for() -> Callable[[Any], Client]:
    def login(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def operator(make_user: Callable[..., Any]) -> Any:
    return make_user(RoleKind.OPERATOR, username="operator")


@pytest.fixture
def operator_client(operator: Any, client_for: Callable[[Any], Client]) -> Client:
    return client_for(operator)
