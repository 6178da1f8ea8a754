"""The worker's connections go to the address that was checked: the name is resolved once, when a connection
is opened (DNS rebinding), while the Host header, TLS SNI and the certificate check stay the hostname's."""

import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_httpserver import HTTPServer
from werkzeug import Response

from contacts import services as contact_services
from crm.webhooks import addresses, services, transport
from crm.webhooks import delivery as worker
from crm.webhooks.models import Attempt, Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db

# A name no resolver knows (RFC 2606): a delivery reaches the receiver only through the address checked.
NAME = "hooks.invalid"


class Resolver:
    """What `addresses.resolve` answers, one answer after another (the last one repeats), and each name asked."""

    def __init__(self, *answers):
        self.answers, self.asked = list(answers), []

    def __call__(self, host, port):
        self.asked.append((host, port))
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _contact(owner):
    contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})


def test_a_name_that_turns_private_after_registration_is_refused_and_nothing_is_posted(
    insecure, owner, httpserver, monkeypatch
):
    resolver = Resolver(["127.0.0.1"], ["10.0.0.7"])  # the receiver's loopback at the check, then a private one
    monkeypatch.setattr(addresses, "resolve", resolver)
    httpserver.expect_request("/hook").respond_with_data("ok")
    services.endpoint_create(actor=owner, url=f"http://{NAME}:{httpserver.port}/hook", events=["contact.created"])
    _contact(owner)

    summary = worker.run_once()

    assert summary.retrying == 1 and summary.delivered == 0
    attempt = Attempt.objects.get()
    assert attempt.result == "refused" and "10.0.0.7" in attempt.error
    assert not httpserver.log
    assert resolver.asked == [(NAME, httpserver.port), (NAME, httpserver.port)]  # registration, delivery


def test_a_delivery_connects_to_the_checked_address_once_resolved_and_keeps_the_host(
    insecure, owner, httpserver, monkeypatch
):
    resolver = Resolver(["127.0.0.1"])
    monkeypatch.setattr(addresses, "resolve", resolver)
    httpserver.expect_request("/hook").respond_with_data("ok")
    services.endpoint_create(actor=owner, url=f"http://{NAME}:{httpserver.port}/hook", events=["contact.created"])
    _contact(owner)
    _contact(owner)
    resolver.asked.clear()

    assert worker.run_once().delivered == 2

    assert [entry[0].headers["Host"] for entry in httpserver.log] == [f"{NAME}:{httpserver.port}"] * 2
    # this receiver closes every connection: two connections, each resolved once, the check and the socket alike
    assert resolver.asked == [(NAME, httpserver.port)] * 2


def test_a_loopback_receiver_by_its_real_name_still_gets_its_delivery(insecure, owner, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    services.endpoint_create(actor=owner, url=httpserver.url_for("/hook"), events=["contact.created"])
    _contact(owner)
    assert worker.run_once().delivered == 1 and len(httpserver.log) == 1


def test_an_environment_proxy_is_not_used(insecure, owner, httpserver, monkeypatch):
    """Through a proxy, the proxy would resolve the name out of the check's reach."""
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.9:3128")
    monkeypatch.setenv("NO_PROXY", "")
    httpserver.expect_request("/hook").respond_with_data("ok")
    services.endpoint_create(actor=owner, url=httpserver.url_for("/hook"), events=["contact.created"])
    _contact(owner)
    assert worker.run_once().delivered == 1


# TLS: a CA of the test's own and a certificate for one name, served on loopback.


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _certificate(subject: str, key, *, issuer: str, issuer_key, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(path, *blocks):
    path.write_bytes(b"".join(blocks))
    return str(path)


@pytest.fixture
def tls(tmp_path):
    """Start an https receiver whose certificate names `name`; the CA file, the server, the SNI names it heard."""
    ca_key = _key()
    ca = _certificate("Test CA", ca_key, issuer="Test CA", issuer_key=ca_key, ca=True)
    ca_file = _pem(tmp_path / "ca.pem", ca.public_bytes(serialization.Encoding.PEM))
    servers = []

    def start(name: str):
        key = _key()
        leaf = _certificate(name, key, issuer="Test CA", issuer_key=ca_key, ca=False)
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(
            _pem(tmp_path / f"{name}.pem", leaf.public_bytes(serialization.Encoding.PEM)),
            _pem(tmp_path / f"{name}.key", key_pem),
        )
        heard = []
        context.sni_callback = lambda sock, server_name, ctx: heard.append(server_name)
        server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
        server.expect_request("/hook").respond_with_handler(lambda request: Response("ok"))
        server.start()
        servers.append(server)
        return ca_file, server, heard

    yield start
    for server in servers:
        server.clear()
        server.stop()


def _verifying(ca_file):
    session = transport.pinned_session()
    session.verify = ca_file
    return session


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_https_keeps_sni_and_verifies_the_certificate_with_the_environments_ca_bundle(
    insecure, owner, tls, monkeypatch, variable
):
    monkeypatch.setattr(addresses, "resolve", Resolver(["127.0.0.1"]))
    ca_file, server, heard = tls("hooks.example.test")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv(variable, str(ca_file))
    url = f"https://hooks.example.test:{server.port}/hook"
    services.endpoint_create(actor=owner, url=url, events=["contact.created"])
    _contact(owner)

    assert worker.run_once().delivered == 1

    assert heard == ["hooks.example.test"]
    assert server.log[0][0].headers["Host"] == f"hooks.example.test:{server.port}"


def test_https_to_a_receiver_whose_ca_nobody_named_is_not_sent(insecure, owner, tls, monkeypatch):
    monkeypatch.setattr(addresses, "resolve", Resolver(["127.0.0.1"]))
    _ca_file, server, _heard = tls("hooks.example.test")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    services.endpoint_create(
        actor=owner, url=f"https://hooks.example.test:{server.port}/hook", events=["contact.created"]
    )
    _contact(owner)

    summary = worker.run_once()

    assert summary.retrying == 1 and summary.delivered == 0
    assert "certificate" in Attempt.objects.get().error.lower() and not server.log


def test_https_to_an_address_whose_certificate_names_another_host_is_not_sent(insecure, owner, tls, monkeypatch):
    monkeypatch.setattr(addresses, "resolve", Resolver(["127.0.0.1"]))
    ca_file, server, heard = tls("other.example.test")
    services.endpoint_create(
        actor=owner, url=f"https://hooks.example.test:{server.port}/hook", events=["contact.created"]
    )
    _contact(owner)

    summary = worker.run_once(session=_verifying(ca_file))

    assert summary.retrying == 1 and summary.delivered == 0
    attempt = Attempt.objects.get()
    assert attempt.result == "failed" and "hooks.example.test" in attempt.error
    assert heard == ["hooks.example.test"] and not server.log
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
