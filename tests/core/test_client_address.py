"""The client's address behind a reverse proxy (issue 21, finding 6): X-Forwarded-For is believed only from the
proxies of MOTCUA_TRUSTED_PROXIES, and the login lockout and the rate limits key on the same address."""

from __future__ import annotations

import pytest
from axes.helpers import get_client_ip_address
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from motcua.core.throttle import client_address, client_key, trusted_networks

LOGIN = "/tai-khoan/dang-nhap/"


def _request(peer: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says(settings):
    settings.MOTCUA_TRUSTED_PROXIES = []
    assert client_address(_request("198.51.100.7", "203.0.113.5")) == "198.51.100.7"


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    ("127.0.0.1", "203.0.113.5", "203.0.113.5"),
    # what the client wrote itself stands left of what the proxy appended
    ("127.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
    ("127.0.0.1", " 203.0.113.5 ", "203.0.113.5"),
    ("127.0.0.1", "[2001:db8::5]:4711", "2001:db8::5"),
    ("127.0.0.1", "203.0.113.5:4711", "203.0.113.5"),
    # two proxies of the province's network, both trusted: the first address left of them
    ("10.1.2.3", "1.2.3.4, 203.0.113.5, 10.9.9.9", "203.0.113.5"),
    # a proxy that sent no header, or garbage: the proxy itself
    ("127.0.0.1", "", "127.0.0.1"),
    ("127.0.0.1", "1.2.3.4, not-an-address", "127.0.0.1"),
    ("::ffff:127.0.0.1", "203.0.113.5", "203.0.113.5"),
])
def test_behind_a_trusted_proxy_the_client_is_the_last_untrusted_hop(settings, peer, forwarded, client):
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_address(_request(peer, forwarded)) == client


def test_a_direct_client_cannot_choose_its_address_with_the_header(settings):
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_address(_request("198.51.100.7", "203.0.113.5")) == "198.51.100.7"
    assert client_address(_request("198.51.100.7", "203.0.113.5, 127.0.0.1")) == "198.51.100.7"


def test_no_address_at_all_is_unknown_to_the_rate_limits(settings):
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    assert client_address(request) is None and client_key(request) == "unknown"


def test_a_wrong_trusted_proxy_is_refused_at_start():
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_TRUSTED_PROXIES"):
        trusted_networks(("127.0.0.1", "proxy.example.vn"))


def test_axes_asks_the_same_function(settings):
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]
    assert get_client_ip_address(_request("127.0.0.1", "203.0.113.5")) == "203.0.113.5"
    assert get_client_ip_address(_request("198.51.100.7", "203.0.113.5")) == "198.51.100.7"


def _login(client: Client, password: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": "binh", "password": password})


@pytest.mark.django_db
def test_a_lockout_behind_the_proxy_locks_the_guesser_not_everyone(people, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]
    guesser = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(3):
        _login(guesser, "sai")
    assert _login(guesser, "mat-khau-dai-1").status_code == 429
    binh = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = _login(binh, "mat-khau-dai-1")
    assert response.status_code != 429
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_direct_guesser_forging_the_header_is_still_locked(people, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(3):
        _login(Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"), "sai")
    forged = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert _login(forged, "mat-khau-dai-1").status_code == 429
