from django.urls import path

from .views import account, annex, archive, declare, dossier, public, publicity, queues, shell

urlpatterns = [
    # —— shell ——
    path("", shell.home, name="home"),
    path("login/", shell.HomeLoginView.as_view(), name="login"),
    path("logout/", shell.LogoutView.as_view(), name="logout"),
    path("dashboard/", shell.dashboard, name="dashboard"),
    path("workflow/", shell.workflow_table, name="workflow_table"),
    path("audit/", shell.audit_log, name="audit_log"),
    path("notifications/", shell.notifications, name="notifications"),
    path("notifications/read/", shell.notifications_read, name="notifications_read"),
    # —— public pages, no login ——
    path("register/", account.register, name="register"),
    path("notice/", public.notice_index, name="notice_index"),
    path("notice/<slug:series>/<slug:level>/", public.notice_detail, name="notice_detail"),
    path("public/publicities/", public.publicity_list, name="public_publicity_list"),
    path("public/publicities/<int:pk>/", public.publicity_detail, name="public_publicity_detail"),
    # —— the applicant's archive ——
    path("archive/", archive.overview, name="archive"),
    path("archive/person/", archive.person_facts, name="archive_person"),
    path("archive/<slug:kind>/new/", archive.record_new, name="archive_record_new"),
    path("archive/<slug:kind>/<int:pk>/", archive.record_edit, name="archive_record_edit"),
    path("archive/<slug:kind>/<int:pk>/delete/", archive.record_delete, name="archive_record_delete"),
    path("archive/files/<str:sha256>/", archive.evidence_file, name="archive_file"),
    # —— declaring ——
    path("declare/", declare.start, name="declare_start"),
    path("declare/preview/", declare.preview, name="declare_preview"),
    path("applications/<int:pk>/edit/", declare.workspace, name="declaration_edit"),
    path("applications/<int:pk>/edit/save/", declare.autosave, name="declaration_autosave"),
    path("applications/<int:pk>/edit/records/", declare.select_records, name="declaration_records"),
    path("applications/<int:pk>/edit/materials/", declare.upload_material, name="declaration_material"),
    path("applications/<int:pk>/edit/materials/<int:material_id>/retire/", declare.retire_material, name="declaration_material_retire"),
    path("applications/<int:pk>/edit/pledge/", declare.sign_pledge, name="declaration_pledge"),
    path("applications/<int:pk>/fee/", declare.record_fee, name="declaration_fee"),
    # —— queues and the dossier ——
    path("applications/", queues.application_list, name="application_list"),
    path("applications/bulk/", queues.bulk, name="application_bulk"),
    path("applications/export.xlsx", queues.export, name="application_export"),
    path("applications/export/<int:pk>.xlsx", queues.export_file, name="application_export_file"),
    path("applications/rescreen/", queues.rescreen, name="rescreen"),
    path("applications/<int:pk>/", dossier.application_detail, name="application_detail"),
    path("applications/<int:pk>/act/", dossier.application_act, name="application_act"),
    path("applications/<int:pk>/correction/", dossier.correction, name="application_correction"),
    path("applications/<int:pk>/exam/", dossier.confirm_exam, name="application_exam_confirm"),
    path("applications/<int:pk>/files/<str:sha256>/", dossier.file, name="application_file"),
    # —— the annex's forms, filled from a submitted version (四（一）、六（一）、八（三）) ——
    path("applications/<int:pk>/forms/review.pdf", annex.review_form, name="application_review_form"),
    path("applications/<int:pk>/forms/summary.pdf", annex.summary_form, name="application_summary_form"),
    # —— publicities, for their publishers ——
    path("publicities/", publicity.publicity_list, name="publicity_list"),
    path("publicities/<int:pk>/", publicity.publicity_detail, name="publicity_detail"),
    path("publicities/<int:pk>/close/", publicity.close, name="publicity_close"),
    path("publicities/<int:pk>/summary-forms.pdf", annex.publicity_summary_forms, name="publicity_summary_forms"),
    path("objections/<int:pk>/handle/", publicity.handle_objection, name="objection_handle"),
]
