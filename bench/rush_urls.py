from django.urls import include, path

from .rush_naive import naive_submit

urlpatterns = [
    path("bench/naive-submit/<int:pk>/", naive_submit),
    path("", include("zhicheng.urls")),
]
