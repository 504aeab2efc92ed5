from tests.dossiers.conftest import _media  # noqa: F401 - the issued papers' media root, as for the dossiers
