from django.urls import path

from . import views

urlpatterns = [
    path("verify/", views.verify_page, name="certificate_verify"),
    path("verify/<str:number>/<str:code>/", views.scan_page, name="certificate_scan"),
    path("certificates/public-key/", views.signing_key, name="signing_key"),
    path("certificates/mine/", views.my_certificates, name="my_certificates"),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("certificates/exchange/new/", views.exchange_new, name="exchange_new"),
    path("certificates/exchange/", views.exchange_list, name="exchange_list"),
    path("certificates/exchange/<int:pk>/", views.exchange_detail, name="exchange_detail"),
    path("certificates/exchange/<int:pk>/evidence/", views.exchange_evidence, name="exchange_evidence"),
    path("certificates/history-import/", views.history_import, name="history_import"),
    path("certificates/render/", views.certificate_render, name="certificate_render"),
    path("filings/", views.filing_queue, name="filing_queue"),
    path("filings/<int:pk>/", views.filing_detail, name="filing_detail"),
    path("integrity/pledges/<int:pk>/pdf/", views.pledge_pdf, name="pledge_pdf"),
]
