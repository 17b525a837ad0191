"""The v1 API's errors: every one is JSON {"code", "message" (Chinese), "details"}, whatever raised it.

Operations raise ApiError(status, code, message, details) for their own refusals; domain refusals
(zhicheng.core.errors.Refusal, e.g. a refused transition()), Django's ValidationError, PermissionDenied
and Http404, ninja's validation errors and anything unexpected are turned into the same shape by the
handlers that `install(api)` registers. The schema `ErrorOut` is what operations declare for their
error statuses (ERRORS below is added to every operation of the v1 schema by zhicheng.api.v1).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from zhicheng.core.errors import Refusal

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    """Every error of the v1 API."""

    code: str
    message: str
    details: Any = None


# The statuses any v1 operation may answer besides its own: no/invalid key, scope, missing object,
# invalid input, rate limit, fault. Operations that refuse in other ways (409) declare those themselves.
ERROR_STATUSES = {
    401: "未提供密钥，或密钥无效、已过期、已撤销",
    403: "密钥缺少所需的权限范围，或其账号无权进行该操作",
    404: "对象不存在或不在密钥的数据范围内",
    422: "请求参数不符合要求",
    429: "调用过于频繁（见 Retry-After）",
    500: "服务器内部错误",
}


class ApiError(Exception):
    """An error the caller can act on: HTTP status, a stable code, a Chinese message, optional details."""

    def __init__(self, status: int, code: str, message: str, details: Any = None, *, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {"code": code, "message": message, "details": details}


def _respond(api, request, status: int, code: str, message: str, details: Any = None, headers: dict | None = None):
    response = api.create_response(request, error_body(code, message, details), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# pydantic's commonest error types in Chinese (its context fills the blanks); others keep pydantic's English.
_PYDANTIC_MESSAGES = {
    "missing": "必填。",
    "int_parsing": "应为整数。", "int_type": "应为整数。", "int_from_float": "应为整数。",
    "float_parsing": "应为数字。", "bool_parsing": "应为 true 或 false。", "bool_type": "应为 true 或 false。",
    "string_type": "应为字符串。", "list_type": "应为数组。", "dict_type": "应为对象。", "model_type": "应为对象。",
    "date_parsing": "应为日期（YYYY-MM-DD）。", "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）。",
    "datetime_parsing": "应为时间（ISO 8601）。", "datetime_from_date_parsing": "应为时间（ISO 8601）。",
    "greater_than": "应大于{gt}。", "greater_than_equal": "不得小于{ge}。",
    "less_than": "应小于{lt}。", "less_than_equal": "不得大于{le}。",
    "string_too_short": "至少{min_length}个字符。", "string_too_long": "至多{max_length}个字符。",
    "too_short": "至少{min_length}项。", "too_long": "至多{max_length}项。",
    "enum": "应为以下之一：{expected}。", "literal_error": "应为以下之一：{expected}。",
    "json_invalid": "请求体不是有效的 JSON。", "uuid_parsing": "应为 UUID。", "url_parsing": "应为网址。",
    "extra_forbidden": "不接受该字段。",
}


def _message(error: dict) -> str:
    template = _PYDANTIC_MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", ""))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return str(error.get("msg", ""))


def _field_errors(errors: list[dict]) -> dict[str, list[str]]:
    """ninja's validation errors as {"query.limit": [message, ...]}: where (the part of the request and the field),
    and what is wrong; the shape operations use for a form's errors too."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        where = ".".join(str(part) for part in error.get("loc", ())) or "request"
        fields.setdefault(where, []).append(_message(error))
    return fields


def refusal_code(exc: Exception) -> str:
    """The code of a refused step: a transition's own (illegal_transition, guard_failed), else refused."""
    from zhicheng.declarations.services import GuardFailed, IllegalTransition

    if isinstance(exc, IllegalTransition):
        return "illegal_transition"
    if isinstance(exc, GuardFailed):
        return "guard_failed"
    return "refused"


def refusal(exc: Exception) -> ApiError:
    """A domain function's refusal as the API's 409, with the reasons the page would show. Refusals (a refused
    transition()) reach the handler below by themselves; operations convert the domain's other refusals
    (a ValidationError of a service, CertificateError, ...) with this."""
    if isinstance(exc, DjangoValidationError):
        reasons = list(exc.messages)
    else:
        reasons = list(getattr(exc, "reasons", None) or [str(exc)])
    return ApiError(409, refusal_code(exc), "；".join(reasons), {"reasons": reasons})


def install(api) -> None:
    """Register the handlers on a NinjaAPI (the v1 api)."""

    def api_error(request, exc: ApiError):
        return _respond(api, request, exc.status, exc.code, exc.message, exc.details, exc.headers)

    def validation(request, exc: NinjaValidationError):
        fields = _field_errors(exc.errors)
        return _respond(api, request, 422, "invalid", f"请求参数不符合要求：{'、'.join(fields)}。", {"fields": fields})

    def django_validation(request, exc: DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"request": exc.messages}
        return _respond(api, request, 422, "invalid", "；".join(m for messages in fields.values() for m in messages),
                        {"fields": fields})

    def domain_refusal(request, exc: Refusal):
        return api_error(request, refusal(exc))

    def not_found(request, exc: Exception):
        return _respond(api, request, 404, "not_found", "对象不存在，或不在密钥的数据范围内。")

    def forbidden(request, exc: Exception):
        return _respond(api, request, 403, "forbidden", "密钥的账号无权进行该操作。")

    def unauthenticated(request, exc: Exception):
        return _respond(api, request, 401, "unauthenticated",
                        "请在请求头 Authorization: Bearer <密钥> 中提供有效的机构接口密钥。",
                        headers={"WWW-Authenticate": "Bearer"})

    def throttled(request, exc: Throttled):
        wait = int(exc.wait or 60)
        return _respond(api, request, 429, "rate_limited", f"调用过于频繁，请{wait}秒后再试。",
                        {"retry_after": wait}, {"Retry-After": str(wait)})

    def http_error(request, exc: HttpError):
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 409: "conflict"}
        return _respond(api, request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))

    def fault(request, exc: Exception):
        # Logged with its traceback for the operators; the caller learns nothing of the internals.
        logger.exception("v1 API fault at %s %s", request.method, request.path, exc_info=exc)
        return _respond(api, request, 500, "server_error", "服务器内部错误，请稍后重试；如持续出现请联系系统管理员。")

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(NinjaValidationError, validation)
    api.add_exception_handler(DjangoValidationError, django_validation)
    api.add_exception_handler(Refusal, domain_refusal)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ObjectDoesNotExist, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(AuthorizationError, forbidden)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Exception, fault)
