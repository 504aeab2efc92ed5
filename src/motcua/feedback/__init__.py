"""Feedback and petitions on administrative regulations and on how procedures are carried out (PAKN)."""
