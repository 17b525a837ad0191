from django.urls import path

from . import views

urlpatterns = [
    path("rectification/", views.order_list, name="rectification_orders"),
    path("rectification/new/", views.order_new, name="rectification_order_new"),
    path("rectification/<int:pk>/", views.order_detail, name="rectification_order_detail"),
    path("rectification/<int:pk>/act/", views.order_act, name="rectification_order_act"),
    path("rectification/<int:pk>/evidence/<str:sha256>/", views.order_evidence, name="rectification_evidence"),
    path("rectification/<int:pk>/suspend/", views.committee_suspend, name="committee_suspend"),
    path("rectification/suspensions/<int:pk>/", views.suspension_detail, name="suspension_detail"),
    path("rectification/suspensions/<int:pk>/act/", views.suspension_act, name="suspension_act"),
    path("rectification/findings/<int:pk>/revoke/", views.finding_revoke, name="finding_revoke"),
    path("rectification/bulletins/", views.bulletin_list, name="bulletin_list"),
    path("rectification/bulletins/new/", views.bulletin_new, name="bulletin_new"),
    path("rectification/bulletins/<int:pk>/", views.bulletin_edit, name="bulletin_edit"),
    path("rectification/bulletins/<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("bulletins/", views.public_bulletins, name="public_bulletins"),
    path("bulletins/<int:pk>/", views.public_bulletin_detail, name="public_bulletin_detail"),
    path("bulletins/<int:pk>/pdf/", views.public_bulletin_pdf, name="public_bulletin_pdf"),
]
