from django.urls import path

from . import views

urlpatterns = [
    path("accounts/lockouts/", views.login_lockouts, name="login_lockouts"),
    path("accounts/password/", views.password_change, name="password_change"),
]
