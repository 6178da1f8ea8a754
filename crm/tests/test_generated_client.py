"""A Python client generated from /api/schema/ by openapi-python-client imports, logs in, lists contacts
and reads an error's body.

The generator runs offline on the schema the live server serves; its code needs httpx and attrs.
"""

import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from contacts.tests.factories import ContactFactory, PhoneFactory
from users.tests.factories import PASSWORD, UserFactory

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.mark.skipif(not GENERATOR.exists() and not shutil.which("openapi-python-client"), reason="no generator")
@pytest.mark.django_db(transaction=True)
def test_a_generated_python_client_logs_in_and_lists_contacts(live_server, tmp_path, monkeypatch):
    user = UserFactory()
    contact = ContactFactory(last_name="Generated")
    PhoneFactory(contact=contact, number="+380501234567")
    schema = requests.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")
    generated = subprocess.run(
        [
            str(GENERATOR if GENERATOR.exists() else shutil.which("openapi-python-client")),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--output-path",
            str(tmp_path / "crm_client"),
            "--meta",
            "none",
            "--config",
            str(tmp_path / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Unable to" not in generated.stdout, generated.stdout  # every operation made it into the client
    monkeypatch.syspath_prepend(str(tmp_path))

    import crm_client.api

    for module in pkgutil.walk_packages(crm_client.api.__path__, "crm_client.api."):
        importlib.import_module(module.name)  # every generated module imports
    from crm_client import AuthenticatedClient, Client
    from crm_client.api.auth import auth_token_create
    from crm_client.api.contacts import contacts_create, contacts_list
    from crm_client.models import ContactRequest, Error, TokenObtainPairRequest

    tokens = auth_token_create.sync(
        client=Client(base_url=live_server.url), body=TokenObtainPairRequest(email=user.email, password=PASSWORD)
    )
    assert tokens is not None and tokens.access
    client = AuthenticatedClient(base_url=live_server.url, token=tokens.access)
    page = contacts_list.sync(client=client)
    assert [row.id for row in page.results] == [contact.pk]
    assert page.results[0].last_name == "Generated"

    duplicate = contacts_create.sync_detailed(
        client=client, body=ContactRequest(last_name="Copy", phones=["0501234567"])
    )
    assert duplicate.status_code == 409
    assert isinstance(duplicate.parsed, Error)
    assert duplicate.parsed.code == "conflict" and duplicate.parsed.detail
    bad = contacts_create.sync_detailed(client=client, body=ContactRequest(last_name="Bad", phones=["12"]))
    assert bad.status_code == 400 and isinstance(bad.parsed, Error)
    assert bad.parsed.code == "invalid" and "phones" in bad.parsed.errors.additional_properties
    anonymous = contacts_list.sync_detailed(client=Client(base_url=live_server.url))
    assert anonymous.status_code == 401 and anonymous.parsed.code == "not_authenticated"
    for name in [name for name in sys.modules if name == "crm_client" or name.startswith("crm_client.")]:
        del sys.modules[name]
