"""``sluis demo`` gives the demo supplier a web login."""

import json

import pytest

from sluis.cli import main


@pytest.mark.django_db(transaction=True)
def test_the_demo_supplier_signs_in_with_the_printed_password(capsys, client):
    assert main(["demo", "--json"]) == 0
    users = json.loads(capsys.readouterr().out)["users"]
    supplier = users["supplier"]
    assert users["supplier"]["token"] and users["consumer"]["token"]
    assert client.login(username=supplier["username"], password=supplier["password"])
    page = client.get("/").text
    assert "Demo water levels" in page and "Demo photos" in page


@pytest.mark.django_db(transaction=True)
def test_every_demo_run_prints_a_fresh_password_and_the_login_url(capsys, client):
    main(["demo", "--json"])
    first = json.loads(capsys.readouterr().out)["users"]["supplier"]["password"]
    main(["demo"])
    text = capsys.readouterr().out
    assert "/login/ as demo-supplier" in text and first not in text
    assert not client.login(username="demo-supplier", password=first)
