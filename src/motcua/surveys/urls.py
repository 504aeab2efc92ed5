from django.urls import path

from .views import public

app_name = "surveys"

urlpatterns = [
    path("ma/<str:code>/<str:signature>/", public.answer_qr, name="qr"),
    path("<str:token>", public.answer, name="answer"),
]
