from django.urls import path

from .views import kiosk, public, staff

app_name = "surveys"

urlpatterns = [
    path("ket-qua/", staff.results, name="results"),
    path("ket-qua.xlsx", staff.results_xlsx, name="results-xlsx"),
    path("ket-qua.pdf", staff.results_pdf, name="results-pdf"),
    path("ket-qua/xu-huong.svg", staff.trend_svg, name="trend-svg"),
    path("ket-qua/tra-loi.csv", staff.answers_csv, name="answers-csv"),
    path("ket-qua/tra-loi.xlsx", staff.answers_xlsx, name="answers-xlsx"),
    path("ket-qua/codebook.csv", staff.codebook_csv, name="codebook-csv"),
    path("y-kien/", staff.comments, name="comments"),
    path("phieu-giay/", staff.paper, name="paper"),
    # Before the token catch-all: "quay" would otherwise read as a token.
    path("quay/", kiosk.setup, name="kiosk_setup"),
    path("quay/dong/", kiosk.close, name="kiosk_close"),
    path("quay/phieu/", kiosk.kiosk, name="kiosk"),
    path("ma/<str:code>/<str:signature>/", public.answer_qr, name="qr"),
    path("<str:token>", public.answer, name="answer"),
]
