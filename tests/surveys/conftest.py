from tests.dossiers.conftest import _media, procedure  # noqa: F401 - the receipt's procedure and media root
