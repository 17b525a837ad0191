from zhicheng.core.addresses import client_address

from .context import request_context


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The audit log and every per-address limit (lookups, objections, registrations) read this address.
        with request_context(client_address(request)):
            return self.get_response(request)
