"""``sluis source|task|grant`` and ``sluis init``: the happy path and a refused input each."""

import json

import pytest

from sluis.catalog.models import DataSource, SyncTask

pytestmark = pytest.mark.django_db


def dutch(*extra: str) -> list[str]:
    return ["--set", "delimiter=;", "--set", "decimal=,", "--set", "timezone=Europe/Amsterdam",
            *extra]  # fmt: skip


def test_source_create_with_dutch_csv_settings_is_uploadable(cli, org, supplier, api):
    source = cli.ok(
        "source", "create", "--org", org.name, "--name", "Levels", "--kind", "timeseries",
        *dutch("--set", 'columns={"timestamp": "datum"}'),
    )  # fmt: skip
    assert source["uploadable"] is True
    assert source["ingest_settings"] == {
        "delimiter": ";", "decimal": ",", "timezone": "Europe/Amsterdam",
        "columns": {"timestamp": "datum"},
    }  # fmt: skip
    listed = api.get("/api/v1/sync_tasks/", {"token": supplier.token, "uploadable": "true"})
    assert [t["id"] for t in listed.json()["results"]] == [source["sync_task"]]


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("decimal=;", ["'decimal'", "'.' or ','"]),
        ("colums={}", ["'colums'", "columns", "timezone"]),
        ("timezone=Mars/Base", ["Mars/Base"]),
        ("columns=datum", ["'columns'", "not JSON"]),
        ("no-equals-sign", ["key=value"]),
    ],
)
def test_source_create_names_the_bad_setting_and_the_allowed_values(cli, org, setting, named):
    err = cli.fails(
        "source", "create", "--org", org.name, "--name", "X", "--kind", "timeseries",
        "--set", setting,
    )  # fmt: skip
    assert all(text in err for text in named), err
    assert not DataSource.objects.exists() and not SyncTask.objects.exists()


def test_source_create_reads_settings_from_toml_and_json_files(cli, org, tmp_path):
    toml = tmp_path / "settings.toml"
    toml.write_text('delimiter = ";"\ndecimal = ","\n[columns]\ntimestamp = "datum"\n')
    made = cli.ok("source", "create", "--org", org.name, "--name", "T", "--kind", "timeseries",
                  "--settings-file", str(toml))  # fmt: skip
    assert made["ingest_settings"]["columns"] == {"timestamp": "datum"}
    bad = tmp_path / "settings.json"
    bad.write_text(json.dumps({"layer": "x"}))
    err = cli.fails("source", "create", "--org", org.name, "--name", "J", "--kind", "timeseries",
                    "--settings-file", str(bad))  # fmt: skip
    assert "'layer'" in err and DataSource.objects.count() == 1


def test_a_source_that_is_not_uploadable_says_how_to_change_it(cli, org):
    code, _, err = cli.run("source", "create", "--org", org.name, "--name", "Later",
                             "--kind", "file", "--not-uploadable")  # fmt: skip
    source_id = DataSource.objects.get().pk
    assert code == 0 and f"sluis source update {source_id} --uploadable" in err


def test_a_duplicate_name_is_refused_with_the_existing_id(cli, org, make_source):
    existing = make_source(name="Levels").data_source
    err = cli.fails("source", "create", "--org", org.name, "--name", "Levels",
                    "--kind", "timeseries")  # fmt: skip
    assert f"id {existing.pk}" in err and DataSource.objects.count() == 1


def test_source_update_merges_settings_flags_and_renames_the_task(cli, make_source):
    created = make_source(name="Levels", uploadable=False, ingest_settings={"unit": "m"})
    source_id = str(created.data_source.pk)
    updated = cli.ok("source", "update", source_id, "--uploadable", "--name", "Heads",
                     *dutch("--unset", "unit"))  # fmt: skip
    assert updated["uploadable"] and updated["name"] == "Heads"
    assert updated["ingest_settings"] == {"delimiter": ";", "decimal": ",",
                                          "timezone": "Europe/Amsterdam"}  # fmt: skip
    assert SyncTask.objects.get().name == "Heads"
    shown = cli.ok("source", "show", source_id)
    assert shown["sync_tasks"] == [created.sync_task.pk]


def test_source_update_refuses_a_bad_setting_and_changes_nothing(cli, make_source):
    source = make_source(ingest_settings={"unit": "m"}).data_source
    err = cli.fails("source", "update", str(source.pk), "--name", "New", "--set", "delimiter=x")
    assert "'delimiter'" in err and "';'" in err
    source.refresh_from_db()
    assert source.name == "Levels" and source.ingest_settings == {"unit": "m"}


def test_the_kind_is_fixed_once_a_source_has_uploads(cli, make_source, supplier, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    created = make_source(kind="timeseries")
    source_id = str(created.data_source.pk)
    assert cli.ok("source", "update", source_id, "--kind", "file")["kind"] == "file"
    url = f"/api/v1/sync_tasks/{created.sync_task.pk}/upload/?token={supplier.token}"
    upload = SimpleUploadedFile("a.csv", b"location,parameter,timestamp,value\n")
    assert api.post(url, {"upload_file": upload}, format="multipart").status_code == 201
    cli.capsys.readouterr()  # the intake's log line
    assert "fixed" in cli.fails("source", "update", source_id, "--kind", "vector")
    assert "has uploads" in cli.fails("source", "delete", source_id)
    assert DataSource.objects.get().kind == "file"


def test_source_delete_list_and_unknown_ids(cli, org, make_source):
    source = make_source().data_source
    assert [s["id"] for s in cli.ok("source", "list", "--org", org.name)["data_sources"]] == [
        source.pk
    ]
    assert cli.ok("source", "delete", str(source.pk)) == {"deleted": source.pk}
    assert not DataSource.objects.exists() and not SyncTask.objects.exists()
    assert "No data source has id 999" in cli.fails("source", "show", "999")


def test_source_settings_lists_a_kinds_keys_with_help(cli):
    keys = {k["name"]: k for k in cli.ok("source", "settings", "timeseries")["settings"]}
    assert keys["decimal"]["choices"] == [".", ","] and keys["timezone"]["help"]
    out, _ = cli.text("source", "settings", "vector")
    assert "invalid_geometry" in out and "timezone" not in out


def test_task_list_and_show(cli, org, make_source):
    created = make_source()
    listed = cli.ok("task", "list", "--source", str(created.data_source.pk))["sync_tasks"]
    assert [t["id"] for t in listed] == [created.sync_task.pk]
    shown = cli.ok("task", "show", str(created.sync_task.pk))
    assert shown["uploadable"] and shown["owner"] == org.name
    assert "No sync task has id 999" in cli.fails("task", "show", "999")
    assert "'Nope'" in cli.fails("task", "list", "--org", "Nope")


def test_a_granted_contractor_may_upload_until_the_grant_is_withdrawn(cli, make_source, outsider):
    from sluis.catalog.selectors import user_can_upload

    source = make_source().data_source
    grant = cli.ok("grant", "create", str(source.pk), "outsider")
    assert grant["user_organization"] == "City South"
    assert user_can_upload(user=outsider, data_source=source)
    assert [g["user"] for g in cli.ok("grant", "list", "--source", str(source.pk))["grants"]] == [
        "outsider"
    ]
    cli.ok("grant", "delete", str(source.pk), "outsider")
    assert not user_can_upload(user=outsider, data_source=source)


def test_grants_refuse_own_suppliers_missing_grants_and_unknown_users(cli, make_source, supplier):
    source = make_source().data_source
    assert "may upload" in cli.fails("grant", "create", str(source.pk), "supplier")
    assert "no grant" in cli.fails("grant", "delete", str(source.pk), "supplier")
    assert "'ghost'" in cli.fails("grant", "create", str(source.pk), "ghost")
    assert not source.suppliers.exists()


def test_init_sets_up_org_supplier_token_and_source_in_one_step(cli, api):
    result = cli.ok(
        "init", "--org", "Polder", "--username", "jan", "--kind", "timeseries",
        "--source", "Levels", "--password", "a good password", *dutch(),
    )  # fmt: skip
    assert result["upload_url"].endswith(f"/api/v1/sync_tasks/{result['sync_task']}/upload/")
    assert result["web_login"].endswith("/login/")
    listed = api.get("/api/v1/sync_tasks/", {"token": result["token"], "uploadable": "true"})
    assert [t["id"] for t in listed.json()["results"]] == [result["sync_task"]]
    out, _ = cli.text("init", "--org", "Polder", "--username", "kees", "--kind", "file",
                      "--source", "Photos")  # fmt: skip
    assert 'curl -F "upload_file=@' in out and "sluis user password kees" in out


def test_init_without_answers_off_a_terminal_or_with_a_bad_setting_creates_nothing(cli):
    assert "--username" in cli.fails("init", "--org", "Polder", "--no-input")
    err = cli.fails("init", "--org", "Polder", "--username", "jan", "--kind", "timeseries",
                    "--source", "Levels", "--set", "decimal=x")  # fmt: skip
    assert "'decimal'" in err
    from sluis.accounts.models import Organization, User

    assert not Organization.objects.exists() and not User.objects.exists()


def test_init_asks_for_what_is_missing_on_a_terminal(cli, monkeypatch):
    answers = iter(["Polder", "jan", "raster", "Rain"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    result = cli.ok("init")
    assert DataSource.objects.get(pk=result["data_source"]).kind == "raster"


def test_listing_commands_refuse_unknown_filters(cli, make_source):
    make_source()
    assert "'Nope'" in cli.fails("source", "list", "--org", "Nope")
    assert "No data source has id 999" in cli.fails("grant", "list", "--source", "999")
    assert "'ghost'" in cli.fails("grant", "list", "--user", "ghost")
    assert "No data source has id 999" in cli.fails("task", "list", "--source", "999")


def test_source_settings_of_an_unknown_kind_is_refused_with_the_kinds(capsys):
    from sluis.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["source", "settings", "spreadsheet"])
    assert exit_info.value.code == 2
    assert "choose from 'timeseries'" in capsys.readouterr().err
