"""Who is acting and from where, for the audit entry, without threading it through every call."""

import contextlib
import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""


current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("audit_request", default=RequestContext())


@contextlib.contextmanager
def request_context(ip: str):
    token = current.set(RequestContext(ip=ip))
    try:
        yield
    finally:
        current.reset(token)
