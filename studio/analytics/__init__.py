"""Learning analytics: learner records in (records.py, lrs_views.py, ingest.py, generator.py) and the
reports over them (reports.py, charts.py, views.py)."""
