"""Installs are reproducible: requirements.lock pins every dependency within pyproject's
bounds, and `make install` installs with it."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(name) for name in names]


def test_every_declared_dependency_is_pinned_within_its_bounds():
    locked = _locked()
    for requirement in _declared():
        version = locked.get(canonicalize_name(requirement.name))
        assert version, f"{requirement.name} is not in requirements.lock"
        assert requirement.specifier.contains(version), f"{requirement.name}=={version}"


def test_frameworks_have_an_upper_bound_on_their_next_major_version():
    bounded = {
        canonicalize_name(r.name)
        for r in _declared()
        if any(spec.operator == "<" for spec in r.specifier)
    }
    for name in ("flask", "sqlalchemy", "flask-wtf", "flask-limiter", "limits", "celery"):
        assert name in bounded, name


def test_make_install_uses_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q -c requirements.lock -e '.[dev]'" in makefile
    assert "$(VENV)/.installed: pyproject.toml requirements.lock" in makefile
