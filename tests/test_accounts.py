"""Accounts: `manage.py users`, passwords hashed with werkzeug.security, API tokens kept
only as hashes, disabled users shut out."""
from __future__ import annotations

import hashlib

import pytest

from indexer import accounts
from indexer.instance import Instance
from tests.helpers import invoke


@pytest.fixture
def store(tmp_path):
    store = Instance(tmp_path / "home").open_store()
    yield store
    store.close()


def test_users_commands_add_list_disable_and_set_password(tmp_path):
    home = tmp_path / "home"
    added = invoke(home, "users", "add", "ana", "--email", "ana@example.org", "--admin",
                   "--password", "first-password")
    assert (added.exit_code, added.output) == (0, "added user ana (admin)\n")
    assert invoke(home, "users", "add", "ANA", "--password", "another-one").output == (
        "error: the user name 'ANA' is taken\n")
    assert invoke(home, "users", "add", "bob", "--password", "short").exit_code == 2
    invoke(home, "users", "add", "bob", "--password", "bob-password")
    assert invoke(home, "users", "list").output == "ana\tana@example.org\tadmin\nbob\t-\n"
    assert invoke(home, "users", "disable", "bob").output == "disabled bob\n"
    assert invoke(home, "users", "list").output.endswith("bob\t-\tdisabled\n")
    assert invoke(home, "users", "set-password", "ana", "--password", "second-password").exit_code == 0
    store = Instance(home).open_store()
    try:
        assert accounts.authenticate(store, "ana", "first-password") is None
        assert accounts.authenticate(store, "ana", "second-password").username == "ana"
        assert accounts.authenticate(store, "bob", "bob-password") is None      # disabled
    finally:
        store.close()
    assert invoke(home, "users", "disable", "nobody").output == "error: no user named 'nobody'\n"


def test_passwords_are_kept_only_as_werkzeug_hashes(store):
    accounts.add_user(store, "ana", "correct horse battery")
    [stored] = [row[0] for row in store.db.execute("SELECT password_hash FROM users")]
    assert "correct horse" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    assert accounts.authenticate(store, " ana ", "correct horse battery").username == "ana"
    assert accounts.authenticate(store, "ana", "wrong") is None
    assert accounts.authenticate(store, "nobody", "correct horse battery") is None


def test_api_tokens_are_kept_only_as_hashes_and_die_with_revocation_or_a_disabled_user(store):
    ana = accounts.add_user(store, "ana", "password1")
    token = accounts.new_token(store, ana.id, "script")
    [row] = store.db.execute("SELECT token_hash, label FROM api_tokens").fetchall()
    assert token.startswith("mm_") and len(token) > 40
    assert tuple(row) == (hashlib.sha256(token.encode()).hexdigest(), "script")
    assert token not in str(list(store.db.execute("SELECT * FROM api_tokens")))
    assert accounts.user_for_token(store, token).username == "ana"
    assert accounts.user_for_token(store, token + "x") is None
    accounts.set_disabled(store, "ana")
    assert accounts.user_for_token(store, token) is None
    accounts.set_disabled(store, "ana", False)
    [listed] = accounts.list_tokens(store, ana.id)
    bob = accounts.add_user(store, "bob", "password2")
    assert not accounts.revoke_token(store, bob.id, listed["id"])        # not bob's to revoke
    assert accounts.revoke_token(store, ana.id, listed["id"])
    assert accounts.user_for_token(store, token) is None


def test_the_token_command_prints_a_working_token_once(tmp_path):
    home = tmp_path / "home"
    invoke(home, "users", "add", "ana", "--password", "password1")
    token = invoke(home, "users", "token", "ana", "--label", "cron").output.strip()
    store = Instance(home).open_store()
    try:
        assert accounts.user_for_token(store, token).username == "ana"
    finally:
        store.close()


@pytest.mark.parametrize("zone, hour, message", [
    ("Mars/Olympus", 8, "unknown time zone 'Mars/Olympus'"),
    ("Europe/Paris", 24, "the digest hour is 0-23"),
])
def test_profile_checks_its_time_zone_and_hour(store, zone, hour, message):
    ana = accounts.add_user(store, "ana", "password1")
    with pytest.raises(accounts.AccountError, match=message):
        accounts.update_profile(store, ana.id, None, zone, hour, 0)


def test_alert_commands_act_for_the_owner(tmp_path):
    home = tmp_path / "home"
    invoke(home, "users", "add", "ana", "--password", "password1")
    added = invoke(home, "alerts", "add", "--user", "ana", "--name", "Oil", "oil", "--country",
                   "Iran", "--from", "-7d", "--frequency", "daily")
    assert added.output == "added alert 1 (Oil) for ana\n"
    assert invoke(home, "alerts", "pause", "1").output == "paused alert 1\n"
    assert invoke(home, "alerts", "list").output == "1\tana\tOil\tdaily\tpaused\t0 unread\n"
    assert invoke(home, "alerts", "resume", "1").output == "resumed alert 1\n"
    bad = invoke(home, "alerts", "add", "--user", "ana", "--name", "x", "oil AND")
    assert bad.exit_code == 2 and "dangling operator 'AND'" in bad.output
    assert invoke(home, "alerts", "run").output == "1 alerts over 0 documents: 0 new hits\n"
    assert invoke(home, "alerts", "delete", "1").output == "deleted alert 1\n"
    assert invoke(home, "alerts", "delete", "1").output == "error: no alert 1\n"
