"""Publishing: everything between a computed table and what a reader sees.

columns       column roles (counts, keys, shares) and which counts a statistic depends on
disclosure    the one disclosure-control step (primary, derived, secondary suppression)
publisher     writes tables (CSV, XLSX) and figures (PNG, SVG) through disclosure control
plots         the one figure look (seaborn) and Danish number formats
html          notebook pages, error pages, index.html (nbconvert, jinja2)
reproduction  the run's numbers against the report's (reproduction.csv)
targets       reading report-target values from protected tables
"""
