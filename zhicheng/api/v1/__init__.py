"""Version 1 of the inter-system API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Every operation authenticates with an organisation API key (see zhicheng/api/auth.py) and sees what the
key's account sees on the pages (for_user). Each module below owns one group of operations.
"""

from ninja import NinjaAPI

from . import collection, declarations, exchange, keys, publicities, results, webhooks

api = NinjaAPI(
    title="职称申报评审系统 API v1",
    version="v1",
    description="机构API密钥调用的接口：申报、公示、评审结果、备案、证书、数据归集、事件推送。",
    urls_namespace="api_v1",
)

api.add_router("/keys", keys.router, tags=["密钥"])
api.add_router("/declarations", declarations.router, tags=["申报"])
api.add_router("/publicities", publicities.router, tags=["公示"])
api.add_router("/results", results.router, tags=["评审结果、备案与证书"])
api.add_router("/collection", collection.router, tags=["数据归集"])
api.add_router("/exchange", exchange.router, tags=["证书交流"])
api.add_router("/webhooks", webhooks.router, tags=["事件推送"])
