"""Settings of the deadline-day bench's server: the application's own, plus the naive baseline's
route and a header that reports each request's number of queries."""

from zhicheng.settings import *  # noqa: F401,F403
from zhicheng.settings import MIDDLEWARE

ROOT_URLCONF = "bench.rush_urls"
MIDDLEWARE = ["bench.rush_naive.query_count", *MIDDLEWARE]
NOTIFICATIONS_EMAIL_ON_COMMIT = False
DEBUG = False
