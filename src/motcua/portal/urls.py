"""Citizen pages, mounted at the site root (Vietnamese paths, like the rest of the site)."""

from django.urls import path

from . import passwords, views, wizard

app_name = "portal"

urlpatterns = [
    path("tra-cuu", views.track, name="track"),
    path("quen-mat-khau/", passwords.reset_request, name="password-reset"),
    path("quen-mat-khau/da-gui/", passwords.ResetDoneView.as_view(), name="password-reset-done"),
    path("quen-mat-khau/<uidb64>/<token>/", passwords.ResetConfirmView.as_view(), name="password-reset-confirm"),
    path("quen-mat-khau/xong/", passwords.ResetCompleteView.as_view(), name="password-reset-complete"),
    path("dang-ky/", views.register, name="register"),
    path("dang-ky/xac-nhan/<uuid:key>/", views.register_confirm, name="register-confirm"),
    path("dang-ky/xac-nhan/<uuid:key>/gui-lai/", views.register_resend, name="register-resend"),
    path("danh-gia/<str:token>", views.rate, name="rate"),
    path("cong-dan/", views.home, name="home"),
    path("cong-dan/giay-to/", views.documents, name="documents"),
    path("cong-dan/du-lieu-ca-nhan/", views.personal_data, name="personal-data"),
    path("cong-dan/du-lieu-ca-nhan/tai-ve.json", views.personal_data_json, name="personal-data-json"),
    path("cong-dan/du-lieu-ca-nhan/tai-ve.zip", views.personal_data_zip, name="personal-data-zip"),
    path("cong-dan/du-lieu-ca-nhan/truy-cap/", views.processing_log, name="processing-log"),
    path("cong-dan/du-lieu-ca-nhan/ho-ten/", views.correct_name, name="correct-name"),
    path("cong-dan/du-lieu-ca-nhan/dia-chi-dang-nhap/", views.change_identifier, name="change-identifier"),
    path("cong-dan/du-lieu-ca-nhan/dia-chi-dang-nhap/<uuid:key>/", views.change_identifier_confirm,
         name="change-identifier-confirm"),
    path("cong-dan/du-lieu-ca-nhan/dia-chi-dang-nhap/<uuid:key>/gui-lai/", views.change_identifier_resend,
         name="change-identifier-resend"),
    path("cong-dan/du-lieu-ca-nhan/yeu-cau-sua/", views.correction, name="correction"),
    path("cong-dan/du-lieu-ca-nhan/yeu-cau-khac/", views.data_right, name="data-right"),
    path("cong-dan/du-lieu-ca-nhan/dong-tai-khoan/", views.close_account, name="close-account"),
    # The agency's work queue of the applicants' personal-data requests (staff).
    path("du-lieu-ca-nhan/yeu-cau/", views.data_requests, name="data-requests"),
    path("du-lieu-ca-nhan/yeu-cau/<int:pk>/", views.data_request, name="data-request"),
    path("cong-dan/ho-so/<str:code>/", views.dossier_detail, name="dossier"),
    path("cong-dan/ho-so/<str:code>/tep/<int:attachment_id>/", views.attachment, name="file"),
    path("cong-dan/ho-so/<str:code>/truy-cap/", views.access_log, name="access-log"),
    path("cong-dan/ho-so/<str:code>/bo-sung/", views.supplement, name="supplement"),
    path("cong-dan/ho-so/<str:code>/rut/", views.withdraw, name="withdraw"),
    path("cong-dan/ho-so/<str:code>/phieu/<str:form>/", views.paper, name="paper"),
    path("cong-dan/ho-so/<str:code>/danh-gia/", views.rate_own, name="rate-own"),
    path("cong-dan/nop-ho-so/<str:code>/", wizard.start, name="submit-start"),
    path("cong-dan/ho-so-nhap/<uuid:key>/nop/", wizard.submit, name="draft-submit"),
    path("cong-dan/ho-so-nhap/<uuid:key>/xoa/", wizard.discard, name="draft-discard"),
    path("cong-dan/ho-so-nhap/<uuid:key>/<str:step>/", wizard.step, name="draft-step"),
]
