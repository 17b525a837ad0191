"""Settings of the deadline-day bench's servers: the application's own, plus one middleware that
reports each request's number of queries in an X-Queries header (measured in the server)."""

from django.db import connection

from zhicheng.settings import *  # noqa: F401,F403
from zhicheng.settings import MIDDLEWARE

MIDDLEWARE = ["bench.rush_settings.query_count", *MIDDLEWARE]


def query_count(get_response):
    def middleware(request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Queries"] = str(count[0])
        return response

    return middleware
