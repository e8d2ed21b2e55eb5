"""Entry point for the benchmark's gunicorn: gunicorn bench.wsgi_bench:app

Under a test run with its clock moved (INCUBATOR_TEST_CLOCK, tests/travel.py), each worker
moves its own clock the same way before it builds the app, so server and tests agree on now.
"""

import os

from bench.server import create_bench_app
from tests import travel

travel.start_from_environment()

app = create_bench_app(os.environ["DATABASE_URL"], os.environ["SECRET_KEY"])
