"""Importers that turn public databases into rows of the curated tables in ``data/``.

An importer reads an outside export, maps its rows to the row schemas of :mod:`forecast.data`
(so imported rows pass the same checks as curated ones), merges them into the tables without
overwriting curated rows unless asked to, and reports every row it left out and why.

``epoch``: Epoch AI's models database (https://epoch.ai/data), ``datawall data import-epoch``.
"""
