"""Login with VNeID: the Django client against the development OpenID provider over real HTTP.

Nothing is mocked: the provider (Authlib's server side) signs real ID tokens with an RSA key it made at start, and
the relying party fetches its discovery document, its keys, the tokens and the userinfo over sockets.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.integrations.models import VneidIdentity
from motcua.integrations.vneid import client as vneid_client
from motcua.integrations.vneid.provider import VneidProvider

START = "/ket-noi/vneid/dang-nhap/"
CALLBACK = "/ket-noi/vneid/ve/"
AN_NUMBER = "068090001234"  # the provider's first sample person, "Nguyễn Văn An"


@pytest.fixture(scope="module")
def provider() -> Iterator[VneidProvider]:
    with VneidProvider() as double:
        yield double


@pytest.fixture
def vneid(provider, settings):  # type: ignore[no-untyped-def]
    settings.MOTCUA_VNEID_ISSUER = provider.issuer
    settings.MOTCUA_VNEID_CLIENT_ID = "motcua"
    settings.MOTCUA_VNEID_CLIENT_SECRET = "motcua-dev-secret"
    settings.MOTCUA_VNEID_SCOPES = "openid profile"
    settings.MOTCUA_VNEID_CLAIMS = {}
    provider.id_fault = ""
    vneid_client._apps.clear()
    yield provider
    provider.id_fault = ""


def _go_to_provider(client: Client, next_url: str = "") -> str:
    response = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content
    location = response["Location"]
    assert location.startswith(client_provider_url(location))
    return location


def client_provider_url(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.scheme}://{parts.netloc}/authorize"


def _consent(location: str, **person: str) -> str:
    """Press "Đồng ý" on the provider's page (a sample person by index, or typed fields); the redirect back."""
    data = {"decision": "allow", **person} if person else {"decision": "allow", "person": "0"}
    answer = requests.post(location, data=data, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def _back(client: Client, redirect: str):  # type: ignore[no-untyped-def]
    parts = urlsplit(redirect)
    assert parts.path == CALLBACK
    return client.get(CALLBACK, parse_qs(parts.query))


def sign_in(client: Client, next_url: str = "", **person: str):  # type: ignore[no-untyped-def]
    return _back(client, _consent(_go_to_provider(client, next_url), **person))


def _signed_in_as(client: Client) -> User | None:
    response = client.get("/tai-khoan/")
    if response.status_code != 200:
        return None
    return response.wsgi_request.user  # type: ignore[return-value]


# --- the happy paths --------------------------------------------------------------------------------------------

def test_the_start_redirects_to_the_provider_with_pkce_s256_state_and_nonce(vneid, db):
    client = Client()
    location = _go_to_provider(client)
    query = parse_qs(urlsplit(location).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0] and query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid profile"]
    assert query["redirect_uri"] == ["http://testserver/ket-noi/vneid/ve/"]
    # The provider's page accepts the request (it refuses one without PKCE) and asks who to identify
    page = requests.get(location, timeout=10)
    assert page.status_code == 200
    assert "Đồng ý" in page.text
    assert vneid.authorize_requests[-1]["code_challenge_method"] == "S256"


def test_a_first_sign_in_makes_a_citizen_account_with_the_level_and_signs_in(vneid, db):
    client = Client()
    response = sign_in(client, person="other", id_number="079301000111", name="Phạm Thị Hoa", level="2")
    assert response.status_code == 302
    assert response["Location"] == "/cong-dan/"
    user = User.objects.get(vneid_identity__id_number="079301000111")
    assert user.full_name == "Phạm Thị Hoa"
    assert user.identity_level == "vneid2"
    assert user.active_roles() == {Role.CITIZEN}
    assert not user.has_usable_password()
    assert _signed_in_as(client) == user
    identity = user.vneid_identity
    assert identity.level == "vneid2" and identity.issuer == vneid.issuer and identity.subject


def test_a_second_sign_in_uses_the_same_account_and_records_the_new_level(vneid, db):
    sign_in(Client(), person="other", id_number="079301000222", name="Võ Văn Tâm", level="1")
    user = User.objects.get(vneid_identity__id_number="079301000222")
    assert user.identity_level == "vneid1"
    client = Client()
    sign_in(client, person="other", id_number="079301000222", name="Võ Văn Tâm", level="2")
    assert User.objects.filter(vneid_identity__isnull=False).count() == 1
    user.refresh_from_db()
    assert user.identity_level == "vneid2"
    assert _signed_in_as(client) == user


def test_a_safe_next_is_followed_and_another_site_is_not(vneid, db):
    response = sign_in(Client(), next_url="/thu-tuc/")
    assert response["Location"] == "/thu-tuc/"
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = sign_in(Client(), next_url=evil)
        assert response.status_code == 302
        assert response["Location"] == "/cong-dan/", evil


# --- accounts are never taken over ------------------------------------------------------------------------------

def test_an_existing_password_account_is_not_taken_over_without_its_password(vneid, people):
    an = people["an"]  # same name as the provider's first sample person
    client = Client()
    sign_in(client)  # "Nguyễn Văn An", 068090001234
    user = _signed_in_as(client)
    assert user is not None and user.pk != an.pk
    an.refresh_from_db()
    assert an.identity_level == ""
    assert not VneidIdentity.objects.filter(user=an).exists()


def test_a_citizen_signed_in_with_the_password_links_the_account(vneid, people, client_for):
    client = client_for("an")
    page = client.get("/tai-khoan/")
    assert "Liên kết tài khoản với VNeID".encode() in page.content
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/"
    an = people["an"]
    an.refresh_from_db()
    assert an.identity_level == "vneid2"
    assert an.vneid_identity.id_number == AN_NUMBER
    # Later, VNeID alone opens that same account
    other = Client()
    sign_in(other)
    assert _signed_in_as(other) == an
    assert User.objects.filter(vneid_identity__isnull=False).count() == 1


def test_an_identification_linked_to_one_account_is_not_linked_to_another(vneid, people, client_for):
    sign_in(Client())  # creates the VNeID account for 068090001234
    response = sign_in(client_for("an"))
    assert response.status_code == 409
    assert "đã được liên kết với một tài khoản khác".encode() in response.content
    assert not VneidIdentity.objects.filter(user=people["an"]).exists()


def test_staff_are_refused_whether_signed_in_or_linked(vneid, people, client_for):
    response = client_for("binh").get(START)
    assert response.status_code == 403
    assert "Cán bộ".encode() in response.content
    # An account linked while a citizen, that holds a staff role now
    client = Client()
    sign_in(client, person="other", id_number="079301000333", name="Trần Văn Sơn", level="2")
    user = User.objects.get(vneid_identity__id_number="079301000333")
    from motcua.accounts.services import assign_role
    assign_role(user, Role.DESK_OFFICER, people["binh"].unit)
    fresh = Client()
    response = sign_in(fresh, person="other", id_number="079301000333", name="Trần Văn Sơn", level="2")
    assert response.status_code == 403
    assert _signed_in_as(fresh) is None


# --- refusals: each a clear page, nothing created ---------------------------------------------------------------

def _refused(response, words: str, status: int = 400) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content[:300]
    assert words.encode() in response.content
    assert not User.objects.filter(vneid_identity__isnull=False).exists()
    assert not User.objects.filter(username__startswith="vneid-").exists()


def test_a_wrong_or_missing_state_is_refused(vneid, db):
    client = Client()
    redirect = _consent(_go_to_provider(client))
    query = parse_qs(urlsplit(redirect).query)
    _refused(client.get(CALLBACK, {"code": query["code"][0], "state": "not-the-state"}), "không phải do trang này")
    _refused(client.get(CALLBACK, {"code": query["code"][0]}), "không phải do trang này")
    # Another browser (another session) cannot finish this sign-in either
    _refused(_back(Client(), redirect), "không phải do trang này")


def test_a_tampered_id_token_is_refused(vneid, db):
    vneid.id_fault = "wrong_key"
    _refused(sign_in(Client()), "không kiểm chứng được")


@pytest.mark.parametrize("fault", ["wrong_audience", "wrong_issuer", "wrong_nonce", "expired", "missing"])
def test_an_id_token_for_someone_else_or_out_of_date_or_absent_is_refused(vneid, db, fault):
    vneid.id_fault = fault
    _refused(sign_in(Client()), "không kiểm chứng được")


def test_a_replayed_code_is_refused_by_the_provider(vneid, db):
    client = Client()
    redirect = _consent(_go_to_provider(client))
    assert _back(client, redirect).status_code == 302
    User.objects.all().delete()
    # The same code, under a fresh state of the same browser: the provider refuses it (invalid_grant)
    client = Client()
    fresh = parse_qs(urlsplit(_go_to_provider(client)).query)["state"][0]
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    _refused(client.get(CALLBACK, {"code": code, "state": fresh}), "đã được dùng")


def test_a_refusal_at_the_provider_is_a_clear_page(vneid, db):
    client = Client()
    answer = requests.post(_go_to_provider(client), data={"decision": "deny"}, allow_redirects=False, timeout=10)
    assert "error=access_denied" in answer.headers["Location"]
    _refused(_back(client, answer.headers["Location"]), "Bạn chưa đồng ý")
    state = parse_qs(urlsplit(_go_to_provider(client)).query)["state"][0]
    _refused(client.get(CALLBACK, {"error": "server_error", "state": state}), "VNeID không đăng nhập được")


def test_an_answer_without_the_identification_number_is_refused(vneid, settings, db):
    settings.MOTCUA_VNEID_CLAIMS = {"id_number": "so_dinh_danh"}  # a claim this provider does not send
    _refused(sign_in(Client()), "số định danh cá nhân")


def test_an_unknown_level_is_refused(vneid, settings, db):
    settings.MOTCUA_VNEID_CLAIMS = {"levels": {"3": "vneid2"}}
    _refused(sign_in(Client()), "mức định danh")


def test_an_unreachable_provider_is_a_clear_page(settings, db):
    with VneidProvider() as gone:
        issuer = gone.issuer
    settings.MOTCUA_VNEID_ISSUER = issuer
    settings.MOTCUA_VNEID_CLIENT_ID = "motcua"
    vneid_client._apps.clear()
    response = Client().get(START)
    assert response.status_code == 409
    assert "Chưa kết nối được với VNeID".encode() in response.content


def test_nothing_personal_is_logged(vneid, db, caplog):
    with caplog.at_level("DEBUG"):
        sign_in(Client(), person="other", id_number="079301000444", name="Đặng Thị Lụa", level="2")
        vneid.id_fault = "wrong_key"
        sign_in(Client(), person="other", id_number="079301000555", name="Hồ Văn Nam", level="2")
    text = caplog.text
    for secret in ("079301000444", "Lụa", "079301000555", "Hồ Văn Nam"):
        assert secret not in text


# --- the button and the pages, by who asks ----------------------------------------------------------------------

def test_not_configured_there_is_no_button_and_the_pages_say_so(settings, db):
    settings.MOTCUA_VNEID_ISSUER = ""
    client = Client()
    assert "Đăng nhập bằng VNeID".encode() not in client.get("/tai-khoan/dang-nhap/").content
    for url in (START, CALLBACK + "?code=x&state=y"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Trang này chưa được cấu hình đăng nhập bằng VNeID".encode() in response.content


def test_configured_the_login_page_offers_the_button_carrying_next(vneid, db):
    page = Client().get("/tai-khoan/dang-nhap/?next=/cong-dan/")
    assert page.status_code == 200
    assert "Đăng nhập bằng VNeID".encode() in page.content
    assert b'href="/ket-noi/vneid/dang-nhap/?next=/cong-dan/"' in page.content


def test_the_account_page_offers_linking_only_to_an_unlinked_citizen(vneid, people, client_for):
    assert "Liên kết tài khoản với VNeID".encode() not in client_for("binh").get("/tai-khoan/").content
    client = client_for("an")
    assert "Liên kết tài khoản với VNeID".encode() in client.get("/tai-khoan/").content
    sign_in(client)
    page = client.get("/tai-khoan/").content
    assert "Liên kết tài khoản với VNeID".encode() not in page
    assert "định danh qua VNeID mức 2".encode() in page


def test_the_start_takes_only_get(vneid, db):
    assert Client().post(START).status_code == 405


def test_the_provider_refuses_an_authorization_request_without_pkce(vneid):
    answer = requests.get(f"{vneid.url}/authorize", params={
        "response_type": "code", "client_id": "motcua", "redirect_uri": "http://testserver/ket-noi/vneid/ve/",
        "scope": "openid", "state": "s", "nonce": "n"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert "error=invalid_request" in answer.headers["Location"]


def test_the_provider_is_steered_over_http(vneid):
    assert requests.post(f"{vneid.url}/_double/faults", json={"id_token": "wrong_key"}, timeout=10).ok
    assert vneid.id_fault == "wrong_key"
    assert requests.post(f"{vneid.url}/_double/faults", json={"id_token": "bogus"}, timeout=10).status_code == 400


# --- shown on the dossiers --------------------------------------------------------------------------------------

def test_a_dossier_filed_after_a_vneid_sign_in_shows_the_level_to_citizen_staff_and_api(
        vneid, org, people, client_for, token_for, settings, tmp_path):  # type: ignore[no-untyped-def]
    from motcua.dossiers import services as dossier_services
    from tests.portal.conftest import intake, make_procedure, pdf

    settings.MEDIA_ROOT = tmp_path / "media"
    make_procedure(org)
    plain = dossier_services.submit_online(people["an"], intake(), [pdf(1), pdf(2, "ban-ve.pdf")])
    citizen = client_for("an")
    sign_in(citizen)  # links An's account, level 2
    an = User.objects.get(pk=people["an"].pk)
    dossier = dossier_services.submit_online(an, intake(), [pdf(1), pdf(2, "ban-ve.pdf")])
    assert dossier.identity_level == "vneid2" and plain.identity_level == ""
    flag = "Tài khoản định danh VNeID mức 2".encode()
    assert flag in citizen.get(f"/cong-dan/ho-so/{dossier.public_id}/").content
    assert flag not in citizen.get(f"/cong-dan/ho-so/{plain.public_id}/").content
    assert flag in client_for("binh").get(f"/ho-so/{dossier.public_id}/").content
    assert flag not in client_for("binh").get(f"/ho-so/{plain.public_id}/").content
    api = Client()
    body = api.get(f"/api/v1/dossiers/{dossier.public_id}", HTTP_AUTHORIZATION=token_for("binh")).json()
    assert body["identity_level"] == "vneid2"
    body = api.get(f"/api/v1/dossiers/{plain.public_id}", HTTP_AUTHORIZATION=token_for("binh")).json()
    assert body["identity_level"] == ""


def test_a_provider_that_gives_a_known_subject_another_number_is_refused(vneid, db):
    sign_in(Client(), person="other", id_number="079301000666", name="Lý Văn Phúc", level="2")
    first = VneidIdentity.objects.get(id_number="079301000666")
    vneid.subjects["079301000777"] = first.subject  # the same sub, another number
    try:
        response = sign_in(Client(), person="other", id_number="079301000777", name="Lý Văn Phúc", level="2")
    finally:
        vneid.subjects.clear()
    assert response.status_code == 409
    assert "không khớp".encode() in response.content
    assert not VneidIdentity.objects.filter(id_number="079301000777").exists()
    assert User.objects.filter(username__startswith="vneid-").count() == 1
