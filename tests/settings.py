"""Test settings: JagaWeb's own settings, with a throwaway data directory set before they are read."""

import os
import tempfile

os.environ.setdefault("JAGAWEB_DATA_DIR", tempfile.mkdtemp(prefix="jagaweb-test-"))

from jagaweb import settings as base

globals().update({name: value for name, value in vars(base).items() if name.isupper()})
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F821  (as `jagaweb serve` does; WhiteNoise warns otherwise)
