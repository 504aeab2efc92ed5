from django.urls import path

from . import views

urlpatterns = [
    path("dang-nhap/", views.start, name="vneid-start"),
    path("ve/", views.callback, name="vneid-callback"),
]
