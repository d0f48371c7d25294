"""Statistics shared by the analyses: shares and CIs (shares), cluster-robust regression and model
tables (models), coder reliability (reliability), and later survey estimates. Each method once; the
analyses call these, never their own copies."""
from .models import ClusteredFit, fit_clustered, model_table
from .reliability import agreement, cohens_kappa, reliability_table
from .shares import distribution_rows, proportion_ci, share, share_row, share_with_ci

__all__ = ["share", "proportion_ci", "share_with_ci", "share_row", "distribution_rows",
           "ClusteredFit", "fit_clustered", "model_table", "agreement", "cohens_kappa", "reliability_table"]
