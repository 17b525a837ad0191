from django.urls import path

from . import views

urlpatterns = [
    path("audit/checkpoints/", views.checkpoints_page, name="audit_checkpoints"),
]
