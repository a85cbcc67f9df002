"""``sluis org|user|token``: the happy path and a refused input of every command."""

import pytest

from sluis.accounts.models import ApiToken, Organization, User

pytestmark = pytest.mark.django_db


def test_org_create_list_show_update_delete(cli):
    created = cli.ok("org", "create", "Polder Board")
    assert created["name"] == "Polder Board"
    listed = cli.ok("org", "list")["organizations"]
    assert [o["name"] for o in listed] == ["Polder Board"] and listed[0]["users"] == 0
    cli.ok("org", "update", "Polder Board", "--name", "Polder Board East")
    shown = cli.ok("org", "show", "Polder Board East")
    assert shown["users"] == [] and shown["data_sources"] == []
    assert cli.ok("org", "delete", "Polder Board East") == {"deleted": "Polder Board East"}
    assert not Organization.objects.exists()


def test_org_list_is_a_table_for_people(cli, org):
    out, _ = cli.text("org", "list")
    header, row = out.splitlines()
    assert header.split() == ["ID", "NAME", "USERS", "DATA_SOURCES", "CREATED"]
    assert "Waterboard North" in row


def test_org_commands_refuse_duplicates_unknown_names_and_nonempty_deletes(cli, org, supplier):
    assert "already exists" in cli.fails("org", "create", org.name)
    assert "'Nope'" in cli.fails("org", "show", "Nope")
    cli.ok("org", "create", "Other")
    assert "already exists" in cli.fails("org", "update", "Other", "--name", org.name)
    assert "1 user(s)" in cli.fails("org", "delete", org.name)
    assert set(Organization.objects.values_list("name", flat=True)) == {org.name, "Other"}


def test_user_create_with_roles_and_password_prints_a_working_token(cli, org, api):
    user = cli.ok(
        "user", "create", "piet", "--org", org.name, "--role", "supplier",
        "--role", "consumer", "--password", "long enough secret",
    )  # fmt: skip
    assert user["roles"] == ["supplier", "consumer"] and user["can_sign_in"]
    assert api.get("/api/v1/sync_tasks/", {"token": user["token"]}).status_code == 200
    assert User.objects.get(username="piet").check_password("long enough secret")
    assert [u["username"] for u in cli.ok("user", "list", "--org", org.name)["users"]] == ["piet"]


def test_user_create_refuses_a_short_password_and_creates_nothing(cli, org):
    err = cli.fails("user", "create", "piet", "--org", org.name, "--password", "short")
    assert "too short" in err
    assert not User.objects.filter(username="piet").exists()


def test_user_create_without_a_role_says_how_to_add_one(cli, org):
    _, err = cli.text("user", "create", "nobody", "--org", org.name)
    assert "--add-role" in err


def test_user_update_changes_roles_and_organization(cli, supplier, other_org):
    updated = cli.ok(
        "user", "update", "supplier", "--add-role", "consumer", "--remove-role", "supplier",
        "--org", other_org.name, "--display-name", "Sup",
    )  # fmt: skip
    assert updated["roles"] == ["consumer"] and updated["organization"] == other_org.name
    shown = cli.ok("user", "show", "supplier")
    assert shown["display_name"] == "Sup" and len(shown["tokens"]) == 1


def test_user_update_of_an_unknown_user_or_organization_changes_nothing(cli, supplier):
    assert "'ghost'" in cli.fails("user", "update", "ghost", "--add-role", "staff")
    assert "'Nope'" in cli.fails("user", "update", "supplier", "--org", "Nope")
    supplier.refresh_from_db()
    assert supplier.organization.name == "Waterboard North"


def test_user_password_set_generate_and_unset(cli, supplier):
    cli.ok("user", "password", "supplier", "--password", "a new password")
    supplier.refresh_from_db()
    assert supplier.check_password("a new password")
    generated = cli.ok("user", "password", "supplier", "--generate")["password"]
    supplier.refresh_from_db()
    assert supplier.check_password(generated)
    assert cli.ok("user", "password", "supplier", "--unset")["can_sign_in"] is False


def test_user_password_refuses_a_short_one_and_keeps_the_old(cli, supplier):
    cli.ok("user", "password", "supplier", "--password", "the old password")
    assert "too short" in cli.fails("user", "password", "supplier", "--password", "abc")
    supplier.refresh_from_db()
    assert supplier.check_password("the old password")


def test_user_delete_removes_the_user_and_their_tokens(cli, supplier):
    assert cli.ok("user", "delete", "supplier") == {"deleted": "supplier"}
    assert not User.objects.exists() and not ApiToken.objects.exists()
    assert "'supplier'" in cli.fails("user", "delete", "supplier")


def test_token_create_list_rotate_revoke(cli, supplier, api):
    issued = cli.ok("token", "create", "supplier", "--name", "logger", "--expires-days", "30")
    secret = issued["token"]
    listed = cli.ok("token", "list", "--user", "supplier")["tokens"]
    assert {t["prefix"] for t in listed} == {supplier.token[:8], secret[:8]}
    assert all("token" not in t and "digest" not in t for t in listed)
    rotated = cli.ok("token", "rotate", secret[:8])
    assert rotated["revoked"] == [secret[:8]] and rotated["name"] == "logger"
    assert rotated["expires_at"] is not None
    assert api.get("/api/v1/sync_tasks/", {"token": secret}).status_code == 403
    assert api.get("/api/v1/sync_tasks/", {"token": rotated["token"]}).status_code == 200
    cli.ok("token", "revoke", rotated["token"][:8])
    assert api.get("/api/v1/sync_tasks/", {"token": rotated["token"]}).status_code == 403
    assert len(cli.ok("token", "list", "--all")["tokens"]) == 3


def test_token_commands_refuse_unknown_prefixes_users_and_bad_expiry(cli, supplier):
    assert "'zzzzzzzz'" in cli.fails("token", "revoke", "zzzzzzzz")
    assert "'zzzzzzzz'" in cli.fails("token", "rotate", "zzzzzzzz")
    assert "'ghost'" in cli.fails("token", "create", "ghost")
    assert "--expires-days" in cli.fails("token", "create", "supplier", "--expires-days", "0")
    assert "'ghost'" in cli.fails("token", "list", "--user", "ghost")
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().is_active


def test_user_list_and_show_refuse_unknown_names(cli, supplier):
    assert "'Nope'" in cli.fails("user", "list", "--org", "Nope")
    assert "'ghost'" in cli.fails("user", "show", "ghost")
    assert "'ghost'" in cli.fails("user", "password", "ghost", "--generate")
