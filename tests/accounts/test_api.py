import io

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.accounts.models import ApiToken


@pytest.mark.django_db
def test_me_anonymous_gets_401_in_error_format(client: Client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "unauthenticated"
    assert body["error"]["message"]


@pytest.mark.django_db
def test_me_with_token_from_createtoken_names_binhs_unit(client: Client, people, org):
    out = io.StringIO()
    call_command("createtoken", "binh", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("mc_")
    response = client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "binh"
    assert body["full_name"] == "Trần Thị Bình"
    assert body["roles"] == ["desk_officer"]
    assert body["unit"]["name"] == "Bộ phận Một cửa Sở Xây dựng"
    assert body["unit"]["agency"]["name"] == "Sở Xây dựng"


@pytest.mark.django_db
def test_token_is_stored_hashed_and_shown_once(people):
    out = io.StringIO()
    call_command("createtoken", "cuong", stdout=out)
    clear = out.getvalue().strip()
    token = ApiToken.objects.get(user=people["cuong"])
    assert clear.split("_", 2)[2] not in (token.digest, token.prefix)
    assert len(token.digest) == 64


@pytest.mark.django_db
def test_createtoken_for_unknown_user_fails_cleanly():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user"):
        call_command("createtoken", "nobody")


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer mc_nothing_here", "Bearer garbage", "Basic abc", "Bearer "])
def test_bad_tokens_are_refused(client: Client, people, header):
    response = client.get("/api/v1/me", headers={"authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.django_db
def test_revoked_token_is_refused(client: Client, people):
    from motcua.accounts.services import create_token, revoke_token

    token, clear = create_token(people["binh"])
    revoke_token(token)
    assert client.get("/api/v1/me", headers={"authorization": f"Bearer {clear}"}).status_code == 401


@pytest.mark.django_db
def test_disabled_user_token_is_refused(client: Client, people, token_for):
    header = token_for("binh")
    people["binh"].is_active = False
    people["binh"].save()
    assert client.get("/api/v1/me", headers={"authorization": header}).status_code == 401


@pytest.mark.django_db
def test_me_with_session_cookie(client_for):
    response = client_for("an").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["roles"] == ["citizen"]
    assert response.json()["unit"] is None


@pytest.mark.django_db
def test_openapi_document_is_valid_openapi_3(client: Client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/me" in doc["paths"]
    assert "401" in doc["paths"]["/api/v1/me"]["get"]["responses"]
    from openapi_spec_validator import validate

    validate(doc)


@pytest.mark.django_db
def test_interactive_docs_are_served(client: Client):
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.django_db
def test_unknown_api_path_is_404_json(client: Client):
    response = client.get("/api/v1/nope")
    assert response.status_code == 404


@pytest.mark.django_db
def test_api_docs_load_nothing_from_other_sites(client: Client):
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in html and "https://" not in html.split("<body")[0]


@pytest.mark.django_db
def test_an_anonymous_write_is_asked_to_sign_in_not_refused_for_csrf():
    client = Client(enforce_csrf_checks=True)  # as a browser or a script without a session
    response = client.post("/api/v1/dossiers", {"procedure": "x"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.django_db
def test_a_signed_in_session_write_without_the_csrf_token_is_still_refused(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["binh"])
    response = client.post("/api/v1/dossiers", {"procedure": "x"})
    assert response.status_code == 403  # the session cookie alone must not write: CSRF protects it
