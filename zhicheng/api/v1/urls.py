"""The v1 API's URLs, marked with the page rule "api" (each operation checks its key) so the permission walk knows them."""

from zhicheng.accounts.permissions import page

from . import api

app_name = "api_v1"

urlpatterns, _, _ = api.urls
for pattern in urlpatterns:
    pattern.callback = page("api")(pattern.callback)
