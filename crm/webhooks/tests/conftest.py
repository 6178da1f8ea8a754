import pytest


@pytest.fixture
def insecure(settings):
    """http and loopback receivers allowed (pytest-httpserver), and a short timeout for the receivers that stall."""
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = True
    settings.WEBHOOKS_TIMEOUT = 1
