"""The insight app's own tables; none of them is a dossier's (the app writes nothing to dossiers)."""

# --- Lateness prediction (docs/insight-prediction.md, docs/insight-model-card.md) --------------------------------

from django.db import models
from django.utils.translation import gettext_lazy as _


class LatenessModel(models.Model):
    """A trained lateness model (``motcua insight train``): the artefact's bytes and their HMAC, checked before
    the bytes are ever unpickled (``prediction.artefact``), with what it was trained on and how it did on the
    dossiers received after those it learned from."""

    created_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    library = models.CharField(_("library"), max_length=100)
    examples = models.PositiveIntegerField(_("training examples"), default=0)
    dossiers = models.PositiveIntegerField(_("dossiers learned from"), default=0)
    history_from = models.DateTimeField(_("history from"), null=True, blank=True)
    history_to = models.DateTimeField(_("history to"), null=True, blank=True)
    # AUC, Brier score, late rate, calibration deciles of the model and of the fixed rule on the test slice.
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    artefact = models.BinaryField(_("artefact"))
    artefact_hmac = models.CharField(_("artefact HMAC-SHA-256"), max_length=64)
    active = models.BooleanField(_("in use"), default=False)

    class Meta:
        verbose_name = _("lateness model")
        verbose_name_plural = _("lateness models")
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="insight_one_active_model")]

    def __str__(self) -> str:
        return f"v{self.pk} ({self.created_at:%Y-%m-%d})"


class Prediction(models.Model):
    """The prediction of one open dossier by the model in use (``motcua insight score``): replaced at each
    scoring, deleted once the dossier is no longer being processed. Nothing is written to the dossier."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(LatenessModel, on_delete=models.CASCADE, related_name="predictions")
    scored_at = models.DateTimeField(_("scored at"))
    probability = models.FloatField(_("probability of finishing late"))
    at_risk = models.BooleanField(_("at risk"), default=False)  # probability ≥ MOTCUA_INSIGHT_RISK_THRESHOLD
    expected_finish = models.DateTimeField(_("expected finish"), null=True, blank=True)
    # The features that push the probability up most, as data: [{"code": ..., "weight": ..., values...}],
    # rendered in the reader's language by ``prediction.reasons.render``.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    class Meta:
        verbose_name = _("lateness prediction")
        verbose_name_plural = _("lateness predictions")
        indexes = [models.Index(fields=["-probability"], name="insight_pred_probability"),
                   models.Index(fields=["dossier"], condition=models.Q(at_risk=True), name="insight_pred_at_risk")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.probability:.2f}"
