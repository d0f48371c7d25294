"""Delanalyse 1's report targets that are not plain look-ups (targets.yaml has those)."""
from __future__ import annotations


def computed(pick) -> dict[str, float]:
    """Sums of looked-up values, read through the same disclosure step as the published tables."""
    kw = {"table": "tabel_3_strategityper", "col": "kommuner"}
    return {
        # l.509: "reaktiv eller diffus (12 ud af 20)"
        "d1_s323_reaktiv_diffus_count": pick(strategi="reaktiv", **kw) + pick(strategi="diffus", **kw),
    }
