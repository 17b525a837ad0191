"""Version 1 of the inter-system API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Every operation authenticates with an organisation API key (zhicheng/api/auth.py: `key_auth` is the default
auth; the schema and the docs stay public) and sees what the key's account sees on the pages (for_user).
Every error is JSON {"code", "message", "details"} (zhicheng/api/errors.py); the schema declares the
common error statuses on every operation, so clients and schemathesis know them. Each module below owns
one group of operations.
"""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from zhicheng.api import errors
from zhicheng.api.auth import key_auth

from . import collection, declarations, exchange, keys, publicities, results, webhooks


class Utf8JSON(JSONRenderer):
    """Chinese as UTF-8, not \\u escapes: the bodies stay readable in logs and half the size."""

    json_dumps_params = {"ensure_ascii": False}


class V1Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """ninja's schema with ErrorOut declared for the common error statuses of every operation."""
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorOut", errors.ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                for status, description in errors.ERROR_STATUSES.items():
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": description, "content": content}
                if 429 in responses:
                    responses[429].setdefault("headers", {"Retry-After": {
                        "description": "再次调用前应等待的秒数", "schema": {"type": "integer"}}})
        return schema


api = V1Api(
    title="职称申报评审系统 API v1",
    version="v1",
    description="机构接口密钥（Authorization: Bearer <密钥>）调用的接口：申报、公示、评审结果、备案、证书、数据归集、事件推送。"
                "密钥的数据范围与创建它的账号在页面上所见相同，并受其权限范围限制。"
                "错误一律为 JSON：{\"code\": 代码, \"message\": 中文说明, \"details\": 细节}。说明见 docs/api.md。",
    urls_namespace="api_v1",
    auth=key_auth,
    renderer=Utf8JSON(),
)
errors.install(api)

api.add_router("/keys", keys.router, tags=["密钥"])
api.add_router("/declarations", declarations.router, tags=["申报"])
api.add_router("/publicities", publicities.router, tags=["公示"])
api.add_router("/results", results.router, tags=["评审结果、备案与证书"])
api.add_router("/collection", collection.router, tags=["数据归集"])
api.add_router("/exchange", exchange.router, tags=["证书交流"])
api.add_router("/webhooks", webhooks.router, tags=["事件推送"])
