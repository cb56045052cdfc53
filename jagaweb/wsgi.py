import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jagaweb.settings")
application = get_wsgi_application()

if not os.environ.get("JAGAWEB_SECRET_KEY") and not (Path(settings.DATA_DIR) / settings.SECRET_KEY_FILE).exists():
    logging.getLogger("jagaweb").warning(
        "no secret key in %s: run `jagaweb init` or set JAGAWEB_SECRET_KEY; until then each web process "
        "uses a one-off key and logins do not survive a restart", settings.DATA_DIR,
    )
