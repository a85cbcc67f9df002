import json

import pytest

from sluis.accounts.models import User
from sluis.catalog.models import DataSource
from sluis.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.django_db(transaction=True)
def test_demo_json_prints_tokens_and_one_task_per_kind(capsys, api):
    result = run_json(capsys, "demo")
    assert set(result["sync_tasks"]) == {"timeseries", "vector", "raster", "file"}
    token = result["users"]["supplier"]["token"]
    listed = api.get("/api/v1/sync_tasks/", {"uploadable": "true", "token": token}).json()
    assert {t["id"] for t in listed["results"]} == set(result["sync_tasks"].values())
    assert result["organization"] and result["base_url"].startswith("http")


@pytest.mark.django_db(transaction=True)
def test_demo_is_idempotent_and_issues_fresh_tokens(capsys, api):
    first, second = run_json(capsys, "demo"), run_json(capsys, "demo")
    assert first["sync_tasks"] == second["sync_tasks"]
    assert first["users"]["supplier"]["token"] != second["users"]["supplier"]["token"]
    assert DataSource.objects.count() == 4 and User.objects.count() == 2
    consumer = second["users"]["consumer"]["token"]
    assert api.get("/api/v1/sync_tasks/", {"token": consumer}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_demo_text_shows_curl_commands(capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0 and "curl" in out and "uploadable=true" in out


@pytest.mark.django_db
def test_createorg_createuser_createsource_chain(capsys, api):
    run_json(capsys, "createorg", "Water Co")
    user = run_json(capsys, "createuser", "alice", "--org", "Water Co", "--role", "data_supplier")
    source = run_json(
        capsys,
        "createsource",
        "--org",
        "Water Co",
        "--name",
        "Heads",
        "--kind",
        "timeseries",
        "--uploadable",
        "--private",
    )
    body = api.get("/api/v1/sync_tasks/", {"token": user["token"], "uploadable": "true"}).json()
    assert [t["id"] for t in body["results"]] == [source["sync_task"]]
    assert body["results"][0]["private"] is True
    assert User.objects.get(username="alice").is_data_supplier


@pytest.mark.django_db
def test_createtoken_and_revoketoken(capsys, api, supplier):
    token = run_json(capsys, "createtoken", "supplier", "--expires-days", "3")["token"]
    assert api.get("/api/v1/sync_tasks/", {"token": token}).status_code == 200
    assert run_json(capsys, "revoketoken", token[:8]) == {"revoked": 1}
    assert api.get("/api/v1/sync_tasks/", {"token": token}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["0", "-1"])
def test_createtoken_refuses_an_expiry_of_zero_or_fewer_days_and_creates_no_token(
    capsys, supplier, days
):
    from sluis.accounts.models import ApiToken

    before = ApiToken.objects.count()
    code, out, err = run(capsys, "createtoken", "supplier", "--expires-days", days)
    assert code == 2 and out == ""
    assert "--expires-days must be at least 1" in err and "never expires" in err
    code, _, err = run(capsys, "createtoken", "supplier", "--expires-days", days, "--json")
    assert code == 2 and json.loads(err)["code"] == "invalid_token_expiry"
    assert ApiToken.objects.count() == before


@pytest.mark.django_db
def test_clear_errors_for_unknown_organization_and_duplicate_user(capsys, org):
    code, _, err = run(capsys, "createuser", "bob", "--org", "Nope")
    assert code == 2 and "Nope" in err
    run(capsys, "createuser", "bob", "--org", org.name)
    code, _, err = run(capsys, "createuser", "bob", "--org", org.name, "--json")
    assert code == 2 and json.loads(err)["code"] == "invalid_user"


@pytest.mark.django_db
def test_createsource_rejects_bad_settings(capsys, org):
    code, _, err = run(
        capsys,
        "createsource",
        "--org",
        org.name,
        "--name",
        "X",
        "--kind",
        "timeseries",
        "--settings",
        '{"timezone": "Mars/Base"}',
    )
    assert code == 2 and "Mars/Base" in err


def test_every_command_has_help(capsys):
    for command in [
        "serve",
        "migrate",
        "createorg",
        "createuser",
        "createtoken",
        "revoketoken",
        "createsource",
        "demo",
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: sluis" in capsys.readouterr().out
