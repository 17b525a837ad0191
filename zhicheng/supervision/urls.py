from django.urls import path

from . import views

urlpatterns = [
    path("supervision/spot-checks/", views.spotcheck_list, name="spotcheck_list"),
    path("supervision/spot-checks/new/", views.spotcheck_new, name="spotcheck_new"),
    path("supervision/spot-checks/<int:pk>/", views.spotcheck_detail, name="spotcheck_detail"),
    path("supervision/spot-checks/<int:pk>/act/", views.spotcheck_act, name="spotcheck_act"),
    path("supervision/spot-checks/items/<int:pk>/", views.spotcheck_item, name="spotcheck_item"),
    path("supervision/spot-checks/evidence/<int:pk>/", views.spotcheck_evidence, name="spotcheck_evidence"),
    # —— public: each campaign's publication (before the draw) and record (after), by reference numbers only ——
    path("public/spot-checks/", views.public_spotchecks, name="public_spotchecks"),
    path("public/spot-checks/<int:pk>/", views.public_spotcheck_detail, name="public_spotcheck_detail"),
    path("public/spot-checks/<int:pk>/record.json", views.public_spotcheck_record, name="public_spotcheck_record"),
]
