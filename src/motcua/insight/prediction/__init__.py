"""Lateness prediction (issue 22): for every open dossier, the probability of ending late by the one rule
(``dossiers.timeliness``), its expected finish and the reasons, learned from the history of steps
(docs/insight-prediction.md; the model card: docs/insight-model-card.md)."""
