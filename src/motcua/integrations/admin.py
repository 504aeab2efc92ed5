"""Administration of the integrations."""
