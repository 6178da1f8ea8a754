"""The REST API and the admin under a WSGI server (gunicorn, crm/gunicorn.py); the sockets are crm/asgi.py's.

Sync workers keep one database connection each for CONN_MAX_AGE, health-checked before reuse: unlike
ASGI's per-request threads, nothing has to close it at the end of a request.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

application = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402

from crm.realtime.broadcast import push_from_own_loop  # noqa: E402
from crm.realtime.runtime import freeze_loaded_objects  # noqa: E402

push_from_own_loop()

# Import every view now, in gunicorn's master (preload_app), rather than in each worker's first
# request; then keep it all out of the garbage collector's full passes, as crm/asgi.py does.
get_resolver().url_patterns  # noqa: B018 - the import is the point
freeze_loaded_objects()
