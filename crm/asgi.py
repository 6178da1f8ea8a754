import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.db import connections  # noqa: E402

from crm.realtime.concurrency import HttpConcurrencyLimit  # noqa: E402
from crm.realtime.runtime import freeze_loaded_objects  # noqa: E402
from crm.realtime.websocket import pass_close_reasons_through_daphne, websocket_application  # noqa: E402
from crm.routing import websocket_urlpatterns  # noqa: E402


def _close_request_connections(**kwargs):
    """Under ASGI each HTTP request's database work runs in a thread of its own, ended with the request.

    A connection kept for CONN_MAX_AGE would outlive that thread unused until the garbage collector
    found it, and under load PostgreSQL ran out of connection slots ("too many clients"). The
    consumers' one database thread is not a request: it keeps its connection.
    """
    connections.close_all()


request_finished.connect(_close_request_connections)

freeze_loaded_objects()
pass_close_reasons_through_daphne()

application = ProtocolTypeRouter(
    {
        "http": HttpConcurrencyLimit(django_asgi_app, settings.HTTP_CONCURRENCY),
        "websocket": websocket_application(websocket_urlpatterns),
    }
)
