"""The integrity pages, included by ``insight.urls`` (mounted at /giam-sat/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("canh-bao/", views.flag_list, name="flags"),
    path("canh-bao/<int:pk>/", views.flag_detail, name="flag"),
    path("tong-hop/", views.summaries, name="summaries"),
]
