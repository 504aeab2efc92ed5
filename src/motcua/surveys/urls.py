from django.urls import path

from .views import kiosk, public

app_name = "surveys"

urlpatterns = [
    # Before the token catch-all: "quay" would otherwise read as a token.
    path("quay/", kiosk.setup, name="kiosk_setup"),
    path("quay/dong/", kiosk.close, name="kiosk_close"),
    path("quay/phieu/", kiosk.kiosk, name="kiosk"),
    path("ma/<str:code>/<str:signature>/", public.answer_qr, name="qr"),
    path("<str:token>", public.answer, name="answer"),
]
