from .context import request_context


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Behind a reverse proxy set REMOTE_ADDR from the proxy (not from client headers).
        with request_context(request.META.get("REMOTE_ADDR", "")):
            return self.get_response(request)
