# The two questionnaires motcua starts with (``motcua.surveys.seed``), then the ratings and rating links kept
# before this app carried over: each rating becomes a response on the "legacy" channel of the per-dossier form
# (its four scores are that form's four questions), each rating link an invitation with the same digest, so
# that a link already sent keeps working once. The old tables are dropped by dossiers 0018 and portal 0003.

import datetime as dt
import uuid

from django.db import migrations

from motcua.surveys.seed import seed

SCORES = {"time": "time_score", "visits": "visits_score", "attitude": "attitude_score", "overall": "overall_score"}


def forwards(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Factor = apps.get_model("surveys", "Factor")
    Criterion = apps.get_model("surveys", "Criterion")
    seed(Questionnaire, Factor, Criterion, dt.date(2024, 1, 1))
    form = Questionnaire.objects.get(code="dossier", version=1)
    criteria = {c.code: c for c in Criterion.objects.filter(questionnaire=form)}
    Rating = apps.get_model("dossiers", "Rating")
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    Response = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    Tally = apps.get_model("surveys", "Tally")
    units = dict(OrgUnit.objects.values_list("code", "pk"))
    tallies = {}
    for rating in Rating.objects.all().iterator():
        unit_id = units.get(rating.agency_code)
        if unit_id is None:  # an agency since removed: its ratings cannot be placed
            continue
        disliked = rating.overall_score < 3
        response = Response.objects.create(
            id=uuid.uuid4(), questionnaire=form, channel="legacy", unit_id=unit_id, desk="",
            procedure_code=rating.procedure_code, month=rating.month.replace(day=1), stratum="",
            comment=rating.comment, disliked=disliked)
        base = (unit_id, response.month)
        head = tallies.setdefault((None, *base), {"answered": 0, "satisfied": 0, "na": 0, "score_sum": 0,
                                                  "disliked": 0})
        head["answered"] += 1
        head["disliked"] += int(disliked)
        for code, column in SCORES.items():
            value = getattr(rating, column)
            Answer.objects.create(response=response, criterion=criteria[code], value=value)
            cell = tallies.setdefault((criteria[code].pk, *base), {"answered": 0, "satisfied": 0, "na": 0,
                                                                    "score_sum": 0, "disliked": 0})
            cell["answered"] += 1
            cell["satisfied"] += int(value >= form.satisfied_from)
            cell["score_sum"] += value
    for (criterion_id, unit_id, month), counts in tallies.items():
        key = f"{form.pk}:{criterion_id or '-'}:{unit_id}:{month:%Y-%m}:legacy:-:"
        Tally.objects.create(key=key, questionnaire=form, criterion_id=criterion_id, unit_id=unit_id, month=month,
                             channel="legacy", stratum="", **counts)
    RatingInvitation = apps.get_model("portal", "RatingInvitation")
    Invitation = apps.get_model("surveys", "Invitation")
    for old in RatingInvitation.objects.all().iterator():
        Invitation.objects.create(dossier_id=old.dossier_id, questionnaire=form, digest=old.digest,
                                  expires_at=old.expires_at, used=old.used)


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0001_initial"),
        ("portal", "0002_rating_to_dossiers"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
