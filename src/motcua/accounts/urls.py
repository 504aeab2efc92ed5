from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # The second factor of staff: the code step, enrolling an authenticator app, the recovery codes.
    path("xac-thuc-hai-buoc/", views.second_factor, name="second-factor"),
    path("xac-thuc-hai-buoc/thiet-lap/", views.enrol, name="enrol"),
    path("xac-thuc-hai-buoc/ma-du-phong/", views.recovery_codes, name="recovery-codes"),
    path("", views.account, name="account"),
]
