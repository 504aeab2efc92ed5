"""The reform scorecard's pages, mounted at /cai-cach/. Each page module lists its own routes."""

from .views import assessments, plans, ranking, register, staff, trees

app_name = "scorecards"

urlpatterns = [*trees.urls, *assessments.urls, *ranking.urls, *plans.urls, *register.urls, *staff.urls]
