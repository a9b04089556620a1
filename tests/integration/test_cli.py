"""The `koppelwerk` command line: migrate, the first admin, a system client, demo data."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("KOPPELWERK_DATABASE_URL", url)
    monkeypatch.setenv("KOPPELWERK_ADMIN_PASSWORD", "a-long-admin-password")
    return url


def test_first_admin_and_a_client_from_the_command_line(sqlite_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["migrate"])
    main(["create-admin", "--username", "beheer", "--organisation-name", "Politie Assen", "--organisation-kind", "politie"])
    out = capsys.readouterr().out
    assert "admin 'beheer' created" in out
    organisation_id = out.strip().rsplit("(", 1)[1].rstrip(")")

    main(["create-client", "--name", "Politie feed", "--role", "police_system", "--organisation-id", organisation_id])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("client_id=kw-")
    assert len(lines[1].removeprefix("client_secret=")) >= 40

    with pytest.raises(SystemExit) as refused:
        main(["create-admin", "--username", "beheer", "--organisation-name", "Politie Assen", "--organisation-kind", "politie"])
    assert refused.value.code == 2
    assert "already exists" in capsys.readouterr().err


def test_demo_data_loads_once(sqlite_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["migrate"])
    main(["demo-data"])
    main(["demo-data"])
    out = capsys.readouterr().out
    assert "demo data loaded" in out
    assert "demo data already present" in out
