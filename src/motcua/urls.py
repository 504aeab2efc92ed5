from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from motcua.api import api
from motcua.core import views as core_views

admin.site.site_header = "motcua — Quản trị hệ thống"
admin.site.site_title = "motcua"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("motcua.core.urls")),
    path("tai-khoan/", include("motcua.accounts.urls")),
    path("lich-lam-viec/", include("motcua.calendars.urls")),
    path("thu-tuc/", include("motcua.catalogue.urls")),
    path("ho-so/", include("motcua.dossiers.urls")),
    path("thong-ke/", include("motcua.stats.urls")),
    path("phan-anh/", include("motcua.feedback.urls")),
    path("khao-sat/", include("motcua.surveys.urls")),
    path("cai-cach/", include("motcua.scorecards.urls")),
    path("xac-minh/", include("motcua.documents.urls")),
    path("ket-noi/", include("motcua.integrations.urls")),
    path("giam-sat/", include("motcua.insight.urls")),
    path("open311/v2/", include("motcua.feedback.open311")),
    path("", include("motcua.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

if settings.DEBUG:
    # Lets a developer look at the error pages while DEBUG shows tracebacks instead.
    urlpatterns += [
        path("__errors__/404/", core_views.page_not_found, {"exception": None}),
        path("__errors__/500/", core_views.server_error),
    ]
