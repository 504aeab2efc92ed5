"""Login with VNeID, the national electronic identification, over OpenID Connect (docs/integrations-vneid.md)."""
