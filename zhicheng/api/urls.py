"""The API's URLs, each marked with the page rule "api" (public) so the permission walk knows them."""

from zhicheng.accounts.permissions import page

from .api import api

app_name = "api"  # the namespace ninja reverses its docs and schema under (urls_namespace)

urlpatterns, _, _ = api.urls
for pattern in urlpatterns:
    pattern.callback = page("api")(pattern.callback)
