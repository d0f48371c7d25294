"""Inputs: reading files in the formats researchers have, data contracts, validation.

readers      CSV / Parquet / SAS7BDAT (one reader: what validates also runs)
contracts    data_contracts/*.yaml -> pandera schemas, type conversion, typed reads
checks       lazy validation of every input and relation, all failures at once
validation   validate_inputs(): the one cached entry point (runner, CLI, notebooks)
report       the ValidationReport and its text
dataset      the data folder's descriptor (synthetic or real, covered years)
registers    big registers with DuckDB (projection, semi-join), SAS -> Parquet import
coding       qualitative coding: codebooks, cases, codings; checks; the XLSX coding template
qdpx         REFI-QDA projects (.qdpx) and codebooks (.qdc) from NVivo, ATLAS.ti, MAXQDA, QualCoder
qualitative  which shape a coding project arrived in; the readers its data contracts name
"""
