"""Django's error views for requests to the API (/api/...): the same JSON error as the operations answer,
not the pages' HTML. Requests are refused before any API view runs when they hold what no view can use
(core.middleware: a NUL character, 400) or name no operation (404); everything else keeps the pages' views."""

from __future__ import annotations

from django.http import JsonResponse
from django.views import defaults

from .errors import error_body

API_PREFIX = "/api/"


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    if request.path.startswith(API_PREFIX):
        return _json(400, "bad_request", "请求无法处理：路径、查询参数或表单中含有不可用的字符（如 NUL）。")
    return defaults.bad_request(request, exception, template_name)


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    if request.path.startswith(API_PREFIX):
        return _json(404, "not_found", "没有这个接口或对象，请对照接口文档（/api/v1/docs）检查路径。")
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if request.path.startswith(API_PREFIX):
        return _json(500, "server_error", "服务器内部错误，请稍后重试；如持续出现请联系系统管理员。")
    return defaults.server_error(request, template_name)
