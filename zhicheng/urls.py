from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhicheng.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.HomeLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/act/", views.application_act, name="application_act"),
    path("workflow/", views.workflow_table, name="workflow_table"),
    path("audit/", views.audit_log, name="audit_log"),
    path("notifications/", views.notifications, name="notifications"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "职称申报评审系统 · 后台管理"
admin.site.site_title = "职称申报评审系统"
