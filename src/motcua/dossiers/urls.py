"""Staff screens of the dossiers, mounted at /ho-so/."""

from django.urls import path

from .views import actions, desk, destruction, detail, digitise, queue, wallet

app_name = "dossiers"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("tiep-nhan/", desk.choose_procedure, name="choose_procedure"),
    path("tiep-nhan/<str:procedure_code>/", desk.intake, name="intake"),
    path("tim-kiem/", queue.search, name="search"),
    path("giay-to-da-cap/", wallet.held_lookup, name="held_lookup"),
    path("chung-thuc/", wallet.copies, name="copies"),
    path("chung-thuc/<int:pk>/tep/", wallet.copy_file, name="copy_file"),
    # Before the dossier's own paths: "tieu-huy" is no dossier code.
    path("tieu-huy/", destruction.destruction_lists, name="destruction_lists"),
    path("tieu-huy/<int:pk>/", destruction.destruction_list, name="destruction_list"),
    path("<str:code>/", detail.detail, name="detail"),
    path("<str:code>/phieu/<str:form>/", detail.form_pdf, name="form_pdf"),
    path("<str:code>/tep/<int:attachment_id>/", detail.attachment, name="file"),
    path("<str:code>/phieu-chuyen/<int:order>/", detail.transfer_slip, name="transfer_slip"),
    path("<str:code>/so-hoa/", digitise.digitise, name="digitise"),
    path("<str:code>/<slug:slug>/", actions.action, name="action"),
]
