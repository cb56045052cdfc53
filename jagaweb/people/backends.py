from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class RoleBackend(ModelBackend):
    """Model permissions come from the user's roles (through memberships), not from Django groups."""

    def _get_group_permissions(self, user_obj: Any) -> Any:
        return Permission.objects.filter(role__memberships__user=user_obj)
