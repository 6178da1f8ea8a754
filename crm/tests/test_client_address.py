"""Who a client is: the connection's peer, or what a configured number of our own proxies say; never a forged header."""

import ipaddress

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle as DRFScopedRateThrottle

from crm.api.client_address import client_address, throttle_ident, unmapped
from users.tests.factories import PASSWORD

PEER, CLIENT, FORGED = "10.0.0.2", "203.0.113.9", "198.51.100.7"


def request(remote_addr=PEER, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request()) == PEER
    assert client_address(request(forwarded=FORGED)) == PEER
    assert client_address(request(forwarded=f"{FORGED}, {CLIENT}")) == PEER


def test_with_trusted_proxies_the_address_the_outermost_one_saw_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request(forwarded=CLIENT)) == CLIENT
    # Whatever the client wrote itself stays to the left of what our proxy appended.
    assert client_address(request(forwarded=f"{FORGED}, {CLIENT}")) == CLIENT
    assert client_address(request(forwarded=f" {FORGED} ,{CLIENT} ")) == CLIENT
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request(forwarded=f"{FORGED}, {CLIENT}, 10.0.0.1")) == CLIENT


def test_a_header_without_an_address_where_one_is_expected_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request(forwarded="")) == PEER
    assert client_address(request(forwarded=" , ")) == PEER
    assert client_address(request(forwarded="unknown")) == PEER
    assert client_address(request(forwarded="\x00" * 10)) == PEER
    assert client_address(request(remote_addr="", forwarded="")) == ""


def test_ipv6_clients_are_counted_per_network_and_mapped_ipv4_as_ipv4(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert throttle_ident(request(remote_addr="2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert throttle_ident(request(remote_addr="2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    assert throttle_ident(request(remote_addr="::ffff:203.0.113.9")) == CLIENT
    assert throttle_ident(request(remote_addr=CLIENT)) == CLIENT


def test_drf_reads_the_same_number_of_proxies():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT


@pytest.fixture
def three_attempts(monkeypatch):
    monkeypatch.setattr(DRFScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min", "invitation": "3/min"})


def login(api, user, password="wrong", **headers):
    return api.post(reverse("auth:token"), {"email": user.email, "password": password}, format="json", **headers)


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1])
def test_a_new_x_forwarded_for_per_attempt_does_not_reset_the_login_allowance(
    api, employee, three_attempts, settings, proxies
):
    settings.TRUSTED_PROXY_COUNT = proxies
    statuses = [login(api, employee, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, {CLIENT}").status_code for n in range(1, 6)]
    assert statuses == [401, 401, 401, 429, 429]
    assert login(api, employee, PASSWORD, HTTP_X_FORWARDED_FOR=f"198.51.100.99, {CLIENT}").status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_each_client_has_its_own_allowance(api, employee, three_attempts, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert [login(api, employee, HTTP_X_FORWARDED_FOR=CLIENT).status_code for _ in range(4)] == [401, 401, 401, 429]
    assert login(api, employee, PASSWORD, HTTP_X_FORWARDED_FOR=FORGED).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["auth:token-refresh", "auth:logout"])
def test_refresh_and_logout_count_by_the_same_rule(api, three_attempts, name):
    statuses = [
        api.post(reverse(name), {"refresh": "x"}, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(1, 5)
    ]
    assert statuses[-1] == 429


@pytest.mark.django_db
def test_the_invitation_link_counts_by_the_same_rule(api, three_attempts):
    url = reverse("users:invitation-questionnaire", args=["a" * 43])
    statuses = [api.get(url, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(1, 5)]
    assert statuses == [404, 404, 404, 429]


def test_an_ipv4_mapped_address_is_unwrapped_by_the_one_helper():
    assert unmapped(ipaddress.ip_address("::ffff:10.0.0.1")) == ipaddress.ip_address("10.0.0.1")
    assert unmapped(ipaddress.ip_address("2001:db8::1")) == ipaddress.ip_address("2001:db8::1")
    assert unmapped(ipaddress.ip_address("10.0.0.1")) == ipaddress.ip_address("10.0.0.1")
