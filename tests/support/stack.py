"""The service stack `make test` started (scripts/devstack.py), for failure drills."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def devstack() -> ModuleType:
    """Import scripts/devstack.py (a stand-alone script, not a package)."""
    if "devstack" not in sys.modules:
        spec = importlib.util.spec_from_file_location("devstack", ROOT / "scripts" / "devstack.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["devstack"] = module
        spec.loader.exec_module(module)
    return sys.modules["devstack"]


def stack_dir() -> Path:
    """Return the running stack's directory, or skip when the tests run without one."""
    value = os.environ.get("STACK_DIR")
    if not value:
        pytest.fail("STACK_DIR is not set: run the failure drills with `make test`")
    return Path(value)
