"""The server under `make run` and the CLI in another shell agree on BASE_URL."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _config_base_url(instance: Path, **env) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "BASE_URL"}
    environ.update(CHORUS_INSTANCE_DIR=str(instance), SECRET_KEY="x", **env)
    return subprocess.run(
        [sys.executable, "-c", "import config; print(config.Config.BASE_URL)"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_make_run_writes_its_base_url_for_the_cli(tmp_path):
    plan = subprocess.run(
        ["make", "-n", "run", "PORT=5300"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert 'echo "${BASE_URL:-http://127.0.0.1:5300}" > instance/base_url' in plan


def test_the_cli_reads_the_base_url_make_run_wrote_unless_the_environment_sets_one(tmp_path):
    assert _config_base_url(tmp_path) == "http://127.0.0.1:5000"
    (tmp_path / "base_url").write_text("http://127.0.0.1:5300\n")
    assert _config_base_url(tmp_path) == "http://127.0.0.1:5300"
    assert _config_base_url(tmp_path, BASE_URL="https://act.example.org/") == (
        "https://act.example.org"
    )
