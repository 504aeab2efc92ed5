"""The ratings given before the surveys app carry over as answers to the per-dossier questionnaire."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("surveys", "0001_initial"), ("dossiers", "0017_draft_returned"), ("portal", "0002_rating_to_dossiers")]


@pytest.mark.django_db(transaction=True)
def test_ratings_become_answers(org):
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        Rating = old.get_model("dossiers", "Rating")
        for overall in (5, 4, 1):
            Rating.objects.create(agency_code="T.SXD", procedure_code="1.013236", month=dt.date(2025, 3, 1),
                                  time_score=4, visits_score=3, attitude_score=5, overall_score=overall,
                                  comment="Tốt" if overall == 5 else "")
        Rating.objects.create(agency_code="GONE", procedure_code="x", month=dt.date(2025, 3, 1), time_score=1,
                              visits_score=1, attitude_score=1, overall_score=1)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        call_command("migrate", verbosity=0)

    from motcua.surveys import selectors
    from motcua.surveys.models import Answer, Response

    responses = Response.objects.filter(channel="legacy")
    assert responses.count() == 3  # the rating of an agency no longer known cannot be placed
    assert {r.unit_id for r in responses} == {org["sxd"].pk}
    assert responses.filter(disliked=True).count() == 1 and responses.filter(comment="Tốt").count() == 1
    assert sorted(Answer.objects.filter(criterion__code="overall").values_list("value", flat=True)) == [1, 4, 5]
    # The tallies were built with them: the indices read the same as the raw answers.
    group = selectors.overall(selectors.Scope("dossier", dt.date(2025, 3, 1), dt.date(2025, 3, 31)))
    assert group["responses"] is None  # three answers: under the minimum group
    assert selectors.dislike_counts(dt.date(2025, 3, 1), dt.date(2025, 3, 31)) == {org["sxd"].pk: (3, 1)}
    group = selectors.results(selectors.Scope("dossier", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
                              minimum=1)["groups"][0]
    overall = next(c for f in group["factors"] for c in f["criteria"] if c["code"] == "overall")
    assert (overall["n"], overall["index"]) == (3, round(2 / 3, 4))
