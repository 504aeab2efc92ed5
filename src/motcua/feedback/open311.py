"""Open311 GeoReport v2 at ``/open311/v2/`` (http://wiki.open311.org/GeoReport_v2), the PAKN kinds as services.

- ``discovery``, ``services``, ``services/{code}``, ``requests`` (GET, POST), ``requests/{id}``, ``tokens/{t}``,
  each as ``.json`` or ``.xml`` (the format is the extension, as the specification says).
- Errors in the specification's form: ``[{"code": 400, "description": "..."}]`` or ``<errors><error>``.
- POST answers synchronously: the response carries the ``service_request_id`` (the item's code) at once, so
  ``tokens/{token}`` always answers 404 (the specification only needs tokens for servers that queue).
- What GET shows is what anyone may know from a code (``selectors.public_status``): never the sender, never a
  hidden (spam) item; the text only once the redacted answer of a regulation item is published; for an item
  about an officer's conduct, its status and dates only (its answer goes to its sender alone).

The full mapping and examples: ``docs/open311.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from motcua.core import redaction
from motcua.core.errors import DomainError
from motcua.core.links import absolute

from . import selectors, services, throttle
from .choices import OPEN_STATUSES, Channel, Kind, Status, Topic
from .models import FeedbackItem

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Changed whenever SERVICES or their attributes change: clients refresh their cached service list on it.
CHANGESET = "2026-12-04T00:00:00+07:00"
MAX_RESULTS = 1000  # the specification's ceiling for one GET requests answer
MAX_RANGE = dt.timedelta(days=90)  # start_date..end_date may not span more (specification)
MAX_IDS = 100
MAX_NAME = 100
MAX_URL = 500


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    description: str
    datatype_description: str = ""
    order: int = 1


@dataclass(frozen=True)
class Service:
    code: str
    topic: str
    kind: str
    name: str
    description: str
    group: str
    keywords: str
    attributes: tuple[Attribute, ...] = ()


# The service list is the agency's published catalogue, in Vietnamese (the language of its users); the names are
# data, like a procedure's name, not interface text.
SERVICES: tuple[Service, ...] = (
    Service("regulation-feedback", Topic.REGULATION, Kind.FEEDBACK, "Phản ánh về quy định hành chính",
            "Vướng mắc khi áp dụng một quy định hành chính, hoặc quy định không hợp pháp, không hợp lý, không "
            "thống nhất (Nghị định 20/2008/NĐ-CP). Không dùng cho khiếu nại, tố cáo.",
            "Quy định hành chính", "phản ánh, quy định, thủ tục hành chính, vướng mắc"),
    # Decree 20/2008 Art. 3(2): a petition is a feedback that proposes a solution.
    Service("regulation-petition", Topic.REGULATION, Kind.PETITION, "Kiến nghị về quy định hành chính",
            "Phản ánh kèm phương án xử lý, hoặc đề xuất một quy định mới (Nghị định 20/2008/NĐ-CP). Ghi phương "
            "án đề xuất trong thuộc tính proposal.",
            "Quy định hành chính", "kiến nghị, đề xuất, quy định, sáng kiến",
            (Attribute("proposal", "text", True, "Phương án xử lý hoặc quy định mới đề xuất",
                       "Văn bản tự do"),)),
    # Decree 118/2025 Art. 9(2)(đ) as amended by Decree 309/2026 Art. 4.
    Service("conduct", Topic.CONDUCT, Kind.FEEDBACK, "Phản ánh về việc thực hiện thủ tục, thái độ cán bộ",
            "Hồ sơ bị chậm, bị yêu cầu giấy tờ không đúng quy định, thái độ của cán bộ tại bộ phận một cửa. "
            "Bắt buộc ghi họ tên (first_name, last_name) và một cách liên hệ (phone hoặc email).",
            "Thực hiện thủ tục hành chính", "một cửa, hồ sơ, cán bộ, chậm trễ, thái độ",
            (Attribute("dossier_code", "string", False, "Mã hồ sơ liên quan (nếu có)",
                       "Mã ghi trên giấy tiếp nhận hồ sơ"),)),
)
BY_CODE = {s.code: s for s in SERVICES}


def service_of(item: FeedbackItem) -> Service:
    for service in SERVICES:
        if service.topic == item.topic and (service.topic == Topic.CONDUCT or service.kind == item.kind):
            return service
    return SERVICES[0]


# --- rendering ------------------------------------------------------------------------------------------------

class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, str(description)


def _w3c(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else None


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _to_xml(parent: ET.Element, tag: str, value: Any, item_tags: dict[str, str]) -> None:
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, sub in value.items():
            _to_xml(node, key, sub, item_tags)
    elif isinstance(value, list | tuple):
        for sub in value:
            _to_xml(node, item_tags[tag], sub, item_tags)
    else:
        node.text = _xml_text(value)


# The specification's element names for the members of each list.
ITEM_TAGS = {"services": "service", "service_requests": "request", "attributes": "attribute",
             "values": "value", "errors": "error", "endpoints": "endpoint", "formats": "format"}


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under ``root`` (a list's members named by ITEM_TAGS)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, default=lambda v: float(v) if isinstance(v, Decimal) else str(v))
        return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    top = ET.Element(root)
    members = data if isinstance(data, list) else None
    if members is not None:
        for member in members:
            _to_xml(top, ITEM_TAGS[root], member, ITEM_TAGS)
    else:
        for key, value in data.items():
            _to_xml(top, key, value, ITEM_TAGS)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="unicode")
    return HttpResponse(body.encode(), status=status, content_type="text/xml; charset=utf-8")


def error(fmt: str, status: int, description: str) -> HttpResponse:
    response = render(fmt, "errors", [{"code": status, "description": description}], status)
    if status == 429:
        response["Retry-After"] = str(_post_window())
    return response


def endpoint(methods: Iterable[str]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Method check, the specification's errors for refused input, and never a 5xx for bad input."""
    allowed = set(methods) | {"HEAD"} if "GET" in methods else set(methods)

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt  # clients of an API key, not browser sessions: nothing a cross-site form could abuse
        def inner(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = error(fmt, 405, _("This method is not allowed here."))
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return error(fmt, exc.status, exc.description)
            except DomainError as exc:
                field = exc.details.get("field") if isinstance(exc.details, dict) else None
                text = f"{exc.message} ({field})" if field else exc.message
                return error(fmt, exc.status, text)

        inner.__name__ = view.__name__
        return inner

    return wrap


# --- discovery and services -------------------------------------------------------------------------------------

@endpoint(["GET"])
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = absolute("/open311/v2/")
    data = {
        "changeset": CHANGESET,
        "contact": _("The agency's one-stop desk; see %(url)s") % {"url": absolute("/phan-anh/")},
        "key_service": _("API keys for POST are issued by the agency's administrator. POST answers at once "
                         "with the service_request_id; there are no tokens."),
        "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }
    return render(fmt, "discovery", data)


def _service_row(service: Service) -> dict[str, Any]:
    return {"service_code": service.code, "service_name": service.name, "description": service.description,
            "metadata": bool(service.attributes), "type": "realtime", "keywords": service.keywords,
            "group": service.group}


@endpoint(["GET"])
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", [_service_row(s) for s in SERVICES])


@endpoint(["GET"])
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    service = BY_CODE.get(code)
    if service is None:
        raise Open311Error(404, _("No service has this service_code."))
    attributes = [{"variable": True, "code": a.code, "datatype": a.datatype, "required": a.required,
                   "datatype_description": a.datatype_description, "order": a.order,
                   "description": a.description} for a in service.attributes]
    return render(fmt, "service_definition", {"service_code": service.code, "attributes": attributes})


# --- requests: reading ----------------------------------------------------------------------------------------

def _status_notes(item: FeedbackItem) -> str:
    """What the public may read about where the item stands: the published answer, else a short status text;
    the rejection reason and the receiving agency, masked like a published answer. A conduct item: its status
    only (its answer is for its sender)."""
    label = str(Status(item.status).label)
    if item.topic == Topic.CONDUCT:
        return label
    if services.is_public(item):
        return item.public_answer
    known = services.known_personal_data(item)
    if item.status == Status.REJECTED and item.reason:
        return f"{label}: {redaction.propose(item.reason, known)[0]}"
    if item.status == Status.FORWARDED and item.forwarded_to:
        return f"{label}: {redaction.propose(item.forwarded_to, known)[0]}"
    if item.status == Status.MERGED and item.duplicate_of_id and item.duplicate_of is not None:
        return f"{label}: {item.duplicate_of.code}"
    return label


def _media_url(item: FeedbackItem) -> str | None:
    if not services.is_public(item):
        return None
    attachment = next((a for a in item.attachments.all() if a.public), None)
    return absolute(attachment.file.url) if attachment is not None else None


def request_row(item: FeedbackItem) -> dict[str, Any]:
    """One item as a GeoReport service request, with what the public may see (see the module's docstring)."""
    service = service_of(item)
    public = services.is_public(item)
    updated = getattr(item, "last_event_at", None) or item.received_at
    lat = long = None
    if public and item.lat is not None and item.long is not None:
        # About 100 m: where the problem is, not whose door it is.
        lat, long = round(float(item.lat), 3), round(float(item.long), 3)
    return {
        "service_request_id": item.code,
        "status": "open" if item.status in OPEN_STATUSES else "closed",
        "status_notes": _status_notes(item),
        "service_name": service.name,
        "service_code": service.code,
        "description": item.public_title if public else None,
        "agency_responsible": item.agency.name,
        "service_notice": None,
        "requested_datetime": _w3c(item.received_at),
        "updated_datetime": _w3c(updated),
        "expected_datetime": _w3c(item.answer_due),
        # Never the place's text: the approver's redaction step (services.approve_answer) does not cover it,
        # and a sender often writes their own address there.
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": long,
        "media_url": _media_url(item),
    }


def _visible() -> Any:
    return (FeedbackItem.objects.filter(hidden=False).select_related("agency", "duplicate_of")
            .prefetch_related("attachments").annotate(last_event_at=Max("events__at")))


def _when(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        # A "+" of the offset left unencoded in the query string arrives as a space.
        value = dt.datetime.fromisoformat(re.sub(r" (\d\d:?\d\d)$", r"+\1", raw))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise Open311Error(400, _("%(name)s must be a W3C date and time with its offset, e.g. "
                                  "2026-08-05T08:00:00+07:00.") % {"name": name})
    return value


def _codes(raw: str) -> list[str]:
    return [c.strip() for c in (raw or "").split(",") if c.strip()]


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = _visible()
    ids = _codes(request.GET.get("service_request_id", ""))
    if ids:  # the specification: a list of ids overrides every other parameter
        if len(ids) > MAX_IDS:
            raise Open311Error(400, _("Ask for at most %(n)s service_request_id at once.") % {"n": MAX_IDS})
        rows = {item.code: request_row(item) for item in qs.filter(code__in=ids)}
        return render(fmt, "service_requests", [rows[c] for c in ids if c in rows])
    codes = _codes(request.GET.get("service_code", ""))
    unknown = [c for c in codes if c not in BY_CODE]
    if unknown:
        raise Open311Error(404, _("No service has this service_code: %(code)s") % {"code": ", ".join(unknown)})
    if codes:
        condition = Q()
        for s in (BY_CODE[c] for c in codes):
            condition |= Q(topic=s.topic) if s.topic == Topic.CONDUCT else Q(topic=s.topic, kind=s.kind)
        qs = qs.filter(condition)
    states = _codes(request.GET.get("status", "").lower())
    if any(s not in ("open", "closed") for s in states):
        raise Open311Error(400, _("status is open or closed."))
    if states == ["open"]:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif states == ["closed"]:
        qs = qs.exclude(status__in=OPEN_STATUSES)
    start, end = _when(request, "start_date"), _when(request, "end_date")
    # Neither: the last 90 days; one of them: 90 days from or up to it (the specification's default range).
    if start is None:
        end = end or timezone.now()
        start = end - MAX_RANGE
    elif end is None:
        end = start + MAX_RANGE
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_RANGE:
        raise Open311Error(400, _("start_date and end_date may not be more than 90 days apart."))
    qs = qs.filter(received_at__gte=start, received_at__lte=end).order_by("-received_at", "-pk")[:MAX_RESULTS]
    return render(fmt, "service_requests", [request_row(item) for item in qs])


@endpoint(["GET"])
def request_detail(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    item = _visible().filter(code=code).first()
    if item is None:
        raise Open311Error(404, _("No service request has this service_request_id."))
    return render(fmt, "service_requests", [request_row(item)])


@endpoint(["GET"])
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    raise Open311Error(404, _("This server answers POST at once with the service_request_id; there are no "
                              "tokens."))


# --- requests: creating ---------------------------------------------------------------------------------------

def _post_limits() -> tuple[int, int]:
    return (int(getattr(settings, "MOTCUA_OPEN311_RATE_LIMIT_KEY", 120)),
            int(getattr(settings, "MOTCUA_OPEN311_RATE_LIMIT_ADDRESS", 30)))


def _post_window() -> int:
    return int(getattr(settings, "MOTCUA_OPEN311_RATE_WINDOW", 3600))


def _title(description: str) -> str:
    """The item's title, from the description's first line (the specification has no title)."""
    first = description.strip().splitlines()[0] if description.strip() else ""
    if len(first) <= 120:
        return first
    cut = first[:120].rsplit(" ", 1)[0]
    return f"{cut}…"


def _coordinate(request: HttpRequest, name: str) -> float | None:
    raw = (request.POST.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if value != value:  # NaN: not a number
        raise Open311Error(400, _("%(name)s must be a number in decimal degrees.") % {"name": name})
    return value


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    client = selectors.client_for_key(request.POST.get("api_key", ""))
    if client is None:
        raise Open311Error(403, _("The api_key is missing or not valid."))
    per_key, per_address = _post_limits()
    window = _post_window()
    if not (throttle.allow("open311-key", str(client.pk), per_key, window)
            and throttle.allow("open311-address", throttle.client_address(request), per_address, window)):
        raise Open311Error(429, _("Too many requests. Wait a few minutes and try again."))
    code = (request.POST.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code is required."))
    service = BY_CODE.get(code)
    if service is None:
        raise Open311Error(404, _("No service has this service_code."))
    description = (request.POST.get("description") or "").strip()
    if not description:
        raise Open311Error(400, _("description is required."))
    attributes = {a.code: (request.POST.get(f"attribute[{a.code}]") or "").strip() for a in service.attributes}
    for a in service.attributes:
        if a.required and not attributes[a.code]:
            raise Open311Error(400, _("attribute[%(code)s] is required.") % {"code": a.code})
    first, last = (request.POST.get(n, "").strip() for n in ("first_name", "last_name"))
    if len(first) > MAX_NAME or len(last) > MAX_NAME:
        raise Open311Error(400, _("The name is too long."))
    media_url = (request.POST.get("media_url") or "").strip()
    if media_url:
        # Kept as a line of the content for the officer to open; never fetched by the server.
        if not media_url.lower().startswith(("http://", "https://")) or len(media_url) > MAX_URL:
            raise Open311Error(400, _("media_url must be an http or https address."))
        description = f"{description}\n\nẢnh: {media_url}"
    data = services.Submission(
        title=_title(description), content=description, topic=service.topic, kind=service.kind,
        proposal=attributes.get("proposal", ""), dossier_code=attributes.get("dossier_code", ""),
        address_string=(request.POST.get("address_string") or "").strip()[:300],
        lat=_coordinate(request, "lat"), long=_coordinate(request, "long"),
        name=" ".join(p for p in (first, last) if p), phone=request.POST.get("phone", ""),
        email=request.POST.get("email", ""), language="en" if (request.LANGUAGE_CODE or "").startswith("en")
        else "vi")
    item = services.submit(data, channel=Channel.OPEN311, api_client=client)
    notice = _("Received by %(agency)s; the answer is due by %(due)s.") % {
        "agency": item.agency.name, "due": timezone.localtime(item.answer_due).strftime("%d/%m/%Y")}
    return render(fmt, "service_requests", [{"service_request_id": item.code, "service_notice": notice,
                                             "account_id": None}], status=201)


@endpoint(["GET", "POST"])
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _list_requests(request, fmt)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    return error(fmt, 404, _("There is no such resource; see discovery.xml or discovery.json."))


FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(rf"^discovery{FMT}", discovery, name="open311-discovery"),
    re_path(rf"^services{FMT}", service_list, name="open311-services"),
    re_path(rf"^services/(?P<code>[^/]+?){FMT}", service_definition, name="open311-service"),
    re_path(rf"^requests{FMT}", requests_view, name="open311-requests"),
    re_path(rf"^requests/(?P<code>[^/]+?){FMT}", request_detail, name="open311-request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){FMT}", token, name="open311-token"),
    re_path(r"^(?P<rest>.*)$", csrf_exempt(not_found)),
]
