import pytest
import pytest_asyncio
import redis
from channels.layers import channel_layers
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from crm.tests.support.flush import flush_by_delete
from users.models import Role
from users.tests.factories import UserFactory


def pytest_configure(config):
    flush_by_delete()


def _empty_channel_layer() -> None:
    """The channel layer's Redis database (not the cache's, since crm/settings.py keeps them apart)."""
    if django_settings.REDIS_URL:
        with redis.Redis.from_url(django_settings.REDIS_URL) as client:
            client.flushdb()


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    """Throttle counters live in the cache, groups and queued events in the channel layer: each test starts
    with both empty; uploads go to a temporary folder; hashing is cheap."""
    cache.clear()
    _empty_channel_layer()
    settings.MEDIA_ROOT = settings.SENDFILE_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    cache.clear()
    _empty_channel_layer()


@pytest.fixture(autouse=True)
def _default_language():
    """A request asking for Ukrainian leaves it active in the thread (LocaleMiddleware); the next test starts afresh."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test runs on its own event loop; a Redis layer built on an earlier loop cannot be reused."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def owner(db):
    return UserFactory(role=Role.OWNER, is_staff=True, is_superuser=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN, is_staff=True)


@pytest.fixture
def manager(db):
    return UserFactory(role=Role.MANAGER)


@pytest.fixture
def employee(db):
    return UserFactory(role=Role.EMPLOYEE)


@pytest.fixture
def api():
    """A client for the REST API; `api.as_user(user)` authenticates it with a real JWT."""
    client = APIClient()

    def as_user(user):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return client

    client.as_user = as_user
    return client


@pytest_asyncio.fixture
async def ws():
    """`await ws(path, user=...)` opens a socket on the ASGI application; all are closed after the test."""
    from crm.tests.support.sockets import open_socket

    opened = []

    async def connect(path, **kwargs):
        communicator, connected, code = await open_socket(path, **kwargs)
        if connected:
            opened.append(communicator)
        return communicator, connected, code

    yield connect
    for communicator in opened:
        await communicator.disconnect(timeout=5)


@pytest.fixture
def servers(transactional_db, tmp_path):
    """`servers(n)` starts n server processes sharing this test's PostgreSQL and Redis; all stop after the test."""
    from crm.tests.support.sockets import ServerProcess, shared_services_or_skip

    started = []

    def start(count: int = 1):
        env = shared_services_or_skip()
        batch = [ServerProcess(env, tmp_path) for _ in range(count)]
        started.extend(batch)
        for server in batch:
            server.wait_ready()
        return batch

    yield start
    for server in started:
        server.stop()
