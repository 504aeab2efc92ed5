from django.urls import URLPattern, URLResolver, include, path

from . import views

app_name = "integrations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("dong-bo/", views.sync_page, name="sync"),
    path("dong-bo/ban-ghi/<int:record_id>/gui-lai/", views.replay, name="sync_replay"),
    path("dong-bo/gui-lai-tat-ca/", views.replay_all, name="sync_replay_all"),
    path("dong-bo/ho-so/<int:dossier_id>/gui-lai/", views.resend, name="sync_resend"),
    path("dong-bo/doi-soat/", views.reconcile_now, name="sync_reconcile"),
    path("vneid/", include("motcua.integrations.vneid.urls")),
]
