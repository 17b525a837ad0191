from django.urls import path

from . import views

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export/", views.export, name="statistics_export"),
]
