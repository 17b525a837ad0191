from django.urls import path

from . import views

urlpatterns = [
    path("monitoring/plan-progress/", views.plan_progress, name="plan_progress"),
    path("monitoring/plan-progress/<int:committee_pk>/explain/", views.plan_explanation_new, name="plan_explanation_new"),
    path("monitoring/explanations/<int:pk>/", views.plan_explanation_detail, name="plan_explanation_detail"),
    path("monitoring/explanations/<int:pk>/decide/", views.plan_explanation_decide, name="plan_explanation_decide"),
    path("monitoring/explanations/<int:pk>/files/<str:sha256>/", views.plan_explanation_evidence, name="plan_explanation_evidence"),
    path("monitoring/signals/", views.integrity_signals, name="integrity_signals"),
]
