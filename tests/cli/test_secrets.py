"""No secret appears in any output, log or file the project writes, whatever the command does."""

from __future__ import annotations

from pathlib import Path

from support.cli import invoke
from support.data import event, write_source

PASSWORD = "Pw-9f3c1e-DistinctSecret"
AWS_SECRET = "AwsSecret/7QxZ+distinctKEY0123456789abcdef"


def test_secrets_never_leak(tmp_path: Path, monkeypatch: object) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()], "2018-11-02": "{broken"})
    (tmp_path / ".env").write_text(f"SPARKIFY_REDSHIFT_PASSWORD={PASSWORD}\n")
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEDISTINCT",
        "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
        "AWS_DEFAULT_REGION": "us-west-2",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing listens: AWS calls fail fast
        "SPARKIFY_REDSHIFT_HOST": "127.0.0.1",
        "SPARKIFY_REDSHIFT_PORT": "9",
    }
    s = str(src)
    commands = [
        ["run", "--source", s, "--date", "2018-11-01"],
        ["run", "--source", s],  # fails: a rejected line
        ["--debug", "run", "--source", s],
        ["stage", "--source", s, "--max-errors", "1"],
        ["load"],
        ["check", "--format", "json"],
        ["query", "SELECT * FROM songs.users", "--format", "csv"],
        ["rejects", "--format", "json"],
        ["runs", "--format", "json"],
        ["status", "--source", s],
        ["config", "show"],
        ["config", "show", "--format", "json"],
        ["--debug", "config", "show"],
        ["schema", "create", "--dry-run"],
        ["stage", "--dry-run", "--source", s],
        ["load", "--dry-run"],
        ["check", "--dry-run"],
        ["--debug", "run", "--warehouse", "redshift", "--source", s],
        ["run", "--warehouse", "redshift", "--source", s],
        ["schema", "create", "--warehouse", "redshift", "--dry-run"],
        ["infra", "status"],
        ["--debug", "infra", "up", "--dry-run", "--cidr", "10.0.0.1/32"],
        ["infra", "down", "--dry-run"],
        ["query", "SELECT * FROM songs.users", "--warehouse", "redshift"],
    ]
    outputs = []
    for command in commands:
        result = invoke(*command, env=env)
        outputs.append((command, result.stdout + result.stderr))
    for command, text in outputs:
        assert PASSWORD not in text, command
        assert AWS_SECRET not in text, command
    # some commands really failed, so the error paths were exercised
    assert any("error" in text for _, text in outputs)
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != ".env":
            data = path.read_bytes()
            assert PASSWORD.encode() not in data, path
            assert AWS_SECRET.encode() not in data, path
