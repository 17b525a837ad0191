from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("zhicheng.web.urls")),
    path("", include("zhicheng.certificates.urls")),
    path("", include("zhicheng.review.urls")),
    path("", include("zhicheng.jobs.urls")),
    path("", include("zhicheng.audit.urls")),
    path("", include("zhicheng.accounts.urls")),
    path("", include("zhicheng.supervision.urls")),
    path("", include("zhicheng.rectification.urls")),
    path("", include("zhicheng.monitoring.urls")),
    path("", include("zhicheng.statistics.urls")),
    path("", include("zhicheng.webhooks.urls")),
    path("", include("zhicheng.collection.urls")),
    path("", include("zhicheng.api.page_urls")),
    path("api/v1/", include("zhicheng.api.v1.urls")),
    path("api/", include("zhicheng.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "职称申报评审系统 · 后台管理"
admin.site.site_title = "职称申报评审系统"

# Requests to the API refused before any of its views (a NUL character, no such path, a fault outside ninja) get
# the API's JSON error; the pages keep their HTML error pages.
handler400 = "zhicheng.api.handlers.bad_request"
handler404 = "zhicheng.api.handlers.page_not_found"
handler500 = "zhicheng.api.handlers.server_error"
