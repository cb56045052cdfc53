from __future__ import annotations

import pytest

from jagaweb.inventory.models import Server
from jagaweb.people.choices import RoleKind
from tests.inventory.helpers import SECRET


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are compared in English (the source language); Indonesian is the installed default.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def member_a(make_user, org_a):
    return make_user(RoleKind.ORG_MEMBER, organisation=org_a)


@pytest.fixture
def operator_a(make_user, org_a):
    """An operator whose work is limited to org_a."""
    return make_user(RoleKind.OPERATOR, organisation=org_a)


@pytest.fixture
def supervisor(make_user):
    return make_user(RoleKind.SUPERVISOR)


@pytest.fixture
def secret_site(site_a):
    site_a.db_password = SECRET
    site_a.db_engine = "mysql"
    site_a.db_user = "kominfo"
    site_a.save()
    return site_a


@pytest.fixture
def server(db):
    return Server.objects.create(hostname="web1.pemda.go.id")
