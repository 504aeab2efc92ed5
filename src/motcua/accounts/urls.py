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
    # Security keys and passkeys (WebAuthn): the page, then the JSON endpoints of its script.
    path("xac-thuc-hai-buoc/khoa-bao-mat/", views.security_keys, name="security-keys"),
    path("xac-thuc-hai-buoc/khoa-bao-mat/dang-ky/tuy-chon/", views.key_register_options, name="key-register-options"),
    path("xac-thuc-hai-buoc/khoa-bao-mat/dang-ky/", views.key_register, name="key-register"),
    path("xac-thuc-hai-buoc/khoa-bao-mat/thu-thach/", views.key_challenge, name="key-challenge"),
    path("xac-thuc-hai-buoc/khoa-bao-mat/xac-thuc/", views.key_verify, name="key-verify"),
    path("", views.account, name="account"),
]
