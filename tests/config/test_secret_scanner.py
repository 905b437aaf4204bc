"""Issue 11 item 6: a secret scanner that can't be walked around. Keys and values are
scanned; credential-like key names are normalized; every listed credential kind is found;
no message from any validator echoes a refused value."""

from __future__ import annotations

from pathlib import Path

import pytest

from untrusted_support import assert_refused, previous_outdir, run_cli, snapshot
from databricks_spec.secrets import (find_secret_like, is_secret_key, looks_random, normalize_key, safe_message)

# Built at run time, so the repository holds no secret-looking literal (the repo-wide scan).
HEX = "0123456789abcdef" * 2
SAMPLES = {
    "Databricks PAT": "dapi" + HEX,
    "Databricks PAT, upper case": "DAPI" + HEX.upper(),
    "Databricks PAT, dashes": "dapi" + "-".join([HEX[:8], HEX[8:16], HEX[16:24], HEX[24:]]),
    "Databricks PAT, embedded": "Bearer dapi" + HEX + "-2 for the job",
    "Databricks OAuth secret": "dose" + HEX,
    "AWS access key id": "AKIA" + "IOSFODNN7EXAMPLE",
    "AWS secret key inline": "aws_secret_access_key=" + "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY",
    "GitHub ghp": "ghp_" + "A1b2" * 9,
    "GitHub gho": "gho_" + "A1b2" * 9,
    "GitHub ghs": "ghs_" + "A1b2" * 9,
    "GitHub fine-grained": "github_pat_" + "11ABCDEFG0" * 5,
    "Azure client secret": "abc8Q~" + "Xy_.z-" * 5 + "Abcd",
    "Azure storage connection string": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + "Ab+/" * 11 + "==",
    "Azure SAS": "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=" + "Ab%2B" * 8,
    "JWT": "eyJ" + "hbGciOiJIUzI1NiJ9" + ".eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0" + "." + "dozjgNryP4J3jVmNHl0w5N",
    "PEM key": "-----BEGIN " + "RSA PRIVATE KEY-----",
    "OpenSSH key": "-----BEGIN " + "OPENSSH PRIVATE KEY-----",
    "PGP key": "-----BEGIN " + "PGP PRIVATE KEY BLOCK-----",
    "Slack token": "xoxb-" + "1234567890-abcdefABCDEF",
    "Slack webhook": "https://hooks.slack.com/services/" + "T0000/B0000/XXXXXXXXXXXXXXXX",
    "Google API key": "AIza" + "Sy" + "A1b2C3d4" * 4 + "x",
    "Stripe live key": "sk_" + "live_" + "A1b2C3d4" * 3,
    "Terraform Cloud token": "abcdefghijklmn" + ".atlasv1." + "A1b2C3d4" * 6,
    "URL with user info": "https://deploy:" + "hunter2" + "@github.com/example-org/churn-ml.git",
    "git URL with a token": "https://" + "ghx" + "token123@github.com/example-org/churn-ml",
}
NOT_SECRETS = ["https://github.com/example-org/churn-ml", "churn-team@example.com",
               "{{secrets/mlops/alert_webhook}}", "Standard_D4ds_v5", "15.4.x-cpu-ml-scala2.12",
               "5d3c2b1a-9f8e-4d7c-8b6a-1e2f3a4b5c6d", "${databricks_job.x.id}", "0 0 6 * * ?"]


@pytest.mark.parametrize("name", list(SAMPLES))
def test_pattern_detects(name: str) -> None:
    assert find_secret_like(SAMPLES[name]), name


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_pattern_leaves_ordinary_values(text: str) -> None:
    assert find_secret_like(text) is None


@pytest.mark.parametrize("key", ["clientSecret", "client-secret", "private-key", "passphrase", "webhook_url",
                                 "X_CLIENT_SECRET", "apiKey", "db_password", "aws.secret.access.key",
                                 "sasToken", "AuthToken", "credentials"])
def test_credential_key_names_are_normalized(key: str) -> None:
    assert is_secret_key(key), normalize_key(key)


@pytest.mark.parametrize("key", ["name", "owner", "keys", "secret_scopes", "primary_keys", "timestamp_col",
                                 "patience", "compute", "tokenizer_path", "description"])
def test_ordinary_key_names(key: str) -> None:
    assert not is_secret_key(key)


def test_entropy() -> None:
    assert looks_random("q8Zr2LxT9vKpW4mB7nYc")
    assert not looks_random("customer_features")
    assert not looks_random("aaaaaaaaaaaaaaaaaaaaaaaa")


def _run(config: Path, tmp_path: Path):
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    return run_cli(config, outdir), before, outdir


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_kind_in_a_value_is_refused_and_never_echoed(config_copy: Path, tmp_path: Path, name: str) -> None:
    path = config_copy / "projects/churn.yaml"
    secret = SAMPLES[name]
    quoted = secret.replace("'", "''")
    path.write_text(path.read_text().replace("cost_center: CC-4711", f"cost_center: '{quoted}'", 1))
    run, before, outdir = _run(config_copy, tmp_path)
    assert_refused(run, before, outdir, f"{path}:{_line(path, 'cost_center:')}", "cost_center",
                   "never put credentials in config", secret)


def test_secret_in_a_map_key(config_copy: Path, tmp_path: Path) -> None:
    path = config_copy / "projects/churn.yaml"
    secret = SAMPLES["GitHub ghp"]
    path.write_text(path.read_text().replace("cost_center: CC-4711", f"cost_center: CC-4711\ntags:\n  {secret}: x", 1))
    run, before, outdir = _run(config_copy, tmp_path)
    assert_refused(run, before, outdir, f"{path}:{_line(path, secret)}", "tags", "key looks like a GitHub token",
                   secret)


@pytest.mark.parametrize("key", ["clientSecret", "client-secret", "private-key", "passphrase", "webhook_url"])
def test_credential_named_keys_are_refused(config_copy: Path, tmp_path: Path, key: str) -> None:
    path = config_copy / "environments/dev.yaml"
    path.write_text(path.read_text().replace("  profile: mlops-dev", f"  profile: mlops-dev\n  {key}: plainvalue", 1))
    run, before, outdir = _run(config_copy, tmp_path)
    assert_refused(run, before, outdir, f"{path}:{_line(path, key + ':')}", f"workspace.{key}",
                   "literal secret", "plainvalue")


def test_high_entropy_value_under_a_credential_like_key(config_copy: Path, tmp_path: Path) -> None:
    path = config_copy / "projects/churn.yaml"
    value = "q8Zr2LxT9vKpW4mB7nYcR3sD"
    path.write_text(path.read_text().replace("cost_center: CC-4711", f"cost_center: CC-4711\nsigning_cert: {value}", 1))
    run, before, outdir = _run(config_copy, tmp_path)
    assert_refused(run, before, outdir, f"{path}:{_line(path, 'signing_cert:')}", "signing_cert",
                   "high-entropy credential", value)


def test_validator_messages_never_echo_a_matched_value(config_copy: Path, tmp_path: Path) -> None:
    """'not an e-mail address: ghp_...' must not happen: one redaction in the message path."""
    path = config_copy / "projects/churn.yaml"
    secret = SAMPLES["GitHub ghp"]
    text = path.read_text().replace("    on_failure:\n      emails: [churn-team@example.com]",
                                    f"    on_failure:\n      emails: [{secret}]", 1)
    path.write_text(text)
    run, before, outdir = _run(config_copy, tmp_path)
    line = _line(path, secret)
    assert_refused(run, before, outdir, f"{path}:{line}", "jobs.notifications.on_failure.emails[0]",
                   "looks like a GitHub token", secret)
    assert "not an e-mail address" in run.err  # the validator still speaks, without the value
    assert "<redacted" in run.err


def test_value_refused_under_a_credential_key_is_not_echoed_elsewhere(config_copy: Path, tmp_path: Path) -> None:
    """A value with no recognizable shape, refused because of its key, then used (via an alias)
    where another validator echoes it."""
    path = config_copy / "projects/churn.yaml"
    value = "not a table, my pass phrase"
    text = path.read_text().replace("cost_center: CC-4711", f"cost_center: CC-4711\npassword: &pw '{value}'", 1)
    text = text.replace("    input_table: features.customer_features", "    input_table: *pw", 1)
    path.write_text(text)
    run, before, outdir = _run(config_copy, tmp_path)
    assert_refused(run, before, outdir, f"{path}:{_line(path, 'password: &pw')}", "password", "literal secret",
                   value)
    assert "is not a table name" in run.err


def test_secret_reference_is_allowed_under_a_credential_key(config_copy: Path) -> None:
    from platform_config import load_platform

    load_platform(config_copy)  # ALERT_WEBHOOK_URL: "{{secrets/mlops/alert_webhook}}" in the example


def test_safe_message_redacts_cuts_and_escapes() -> None:
    text = safe_message(f"not an e-mail address: {SAMPLES['Slack token']}; got '{'x' * 300}' \u200b", {"hunter2"})
    assert SAMPLES["Slack token"] not in text and "<redacted Slack token>" in text
    assert "x" * 80 not in text and "\\u200b" in text
    assert safe_message("password hunter2 echoed", {"hunter2"}) == "password <redacted> echoed"


def test_azure_storage_urls_are_not_user_info() -> None:
    """abfss://<container>@<account>... is ADLS syntax, not credentials; a password still is."""
    from databricks_spec.secrets import find_secret_like

    for url in ("abfss://landing@acme.dfs.core.windows.net/access", "wasbs://raw@acme.blob.core.windows.net/x"):
        assert not find_secret_like(url), url
    for url in ("abfss://landing:hunter2@acme.dfs.core.windows.net/x", "https://bot@github.com/acme/repo.git",
                "git://deploy:s3cr3t@git.example.com/repo"):
        assert find_secret_like(url), url
