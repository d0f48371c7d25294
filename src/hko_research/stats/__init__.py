"""Statistics shared by the analyses: shares and CIs (shares), and later survey estimates and model
tables. Each method once; the analyses call these, never their own copies."""
from .reliability import agreement, cohens_kappa, reliability_table
from .shares import distribution_rows, proportion_ci, share, share_row, share_with_ci

__all__ = ["share", "proportion_ci", "share_with_ci", "share_row", "distribution_rows",
           "agreement", "cohens_kappa", "reliability_table"]
