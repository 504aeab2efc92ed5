"""Reads of the reform scorecards (modules per subject: ``ranking``, ``simulator``, ``register``, ``staff``)."""
