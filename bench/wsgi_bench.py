"""Entry point for the benchmark's gunicorn: gunicorn bench.wsgi_bench:app"""

import os

from bench.server import create_bench_app

app = create_bench_app(os.environ["DATABASE_URL"], os.environ["SECRET_KEY"])
