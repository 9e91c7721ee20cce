"""The quarterly outlook: figures, ``summary.json``, HTML and PDF (``datawall outlook``).

Modules, in the order data flows through them: :mod:`~forecast.report.quarter` (which quarter,
which as-of date), :mod:`~forecast.report.provenance` (input fingerprints and what changed),
:mod:`~forecast.report.content` (the numbers), :mod:`~forecast.report.figures` (drawn in
:mod:`~forecast.report.style`), :mod:`~forecast.report.render` (PNG, HTML, PDF, the folder)
and :mod:`~forecast.report.outlook` (the command's steps).
"""
