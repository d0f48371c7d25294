"""The browser tests' helpers: the independent attacker (tests/shared) importable by name. The
default run they check is ``default_run`` in tests/conftest.py."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "shared"))  # the independent attacker
