"""The benchmark: seed a throw-away database, serve the app under gunicorn, measure pages.

Run it with `make bench` (see bench/README.md); add pages in bench/scenarios.py.
"""
