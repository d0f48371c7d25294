"""tests/profiler helpers (hand-made frame builders) and tests/shared's independent attacker,
importable by name."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "shared"))
