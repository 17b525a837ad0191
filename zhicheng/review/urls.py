from django.urls import path

from . import views

urlpatterns = [
    # —— public: the published draws and objections to the pool ——
    path("public/draws/", views.public_draws, name="public_draws"),
    path("public/draws/<int:pk>/", views.public_draw_detail, name="public_draw_detail"),
    # —— the expert pool ——
    path("review/experts/", views.expert_pool, name="expert_pool"),
    path("review/experts/import/", views.expert_import, name="expert_import"),
    path("review/experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("review/experts/<int:pk>/act/", views.expert_act, name="expert_act"),
    path("review/pool-filings/", views.pool_filings, name="pool_filings"),
    path("review/pool-filings/act/", views.pool_filing_act, name="pool_filing_act"),
    # —— review plans, draws, panels, meetings ——
    path("review/plans/", views.review_plans, name="review_plans"),
    path("review/plans/<int:pk>/", views.review_plan_detail, name="review_plan_detail"),
    path("review/plans/<int:pk>/act/", views.review_plan_act, name="review_plan_act"),
    path("review/draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("review/draws/<int:pk>/act/", views.draw_act, name="draw_act"),
    path("review/draws/<int:pk>/record.json", views.draw_record, name="draw_record"),
    path("review/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("review/meetings/<int:pk>/act/", views.meeting_act, name="meeting_act"),
    path("review/meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    # —— the expert's own pages (second factor first) ——
    path("review/second-factor/", views.second_factor, name="second_factor"),
    path("review/tasks/", views.expert_tasks, name="expert_tasks"),
    path("review/tasks/<int:pk>/", views.expert_opinion, name="expert_opinion"),
    path("review/meetings/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("review/meetings/<int:pk>/sign/", views.minutes_sign, name="minutes_sign"),
]
