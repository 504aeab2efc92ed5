"""The criteria trees: the list, one tree with its files, the import of a tree (the council or an administrator)
and the opening of the assessments on it (the council). Reads through ``selectors.trees``, writes through
``services``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import DomainError

from .. import exchange, services
from ..choices import TreeStatus
from ..models import Tree
from ..selectors import trees as selectors

MAX_UPLOAD = 5 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_see_trees(user: User) -> bool:
    return services.sees_all(user) or services.is_council(user) or has_capability(user, Capability.ASSESS_REFORM)


def may_import(user: User) -> bool:
    return services.is_council(user) or has_capability(user, Capability.ADMINISTER)


def _reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not may_see_trees(user):
        raise PermissionDenied
    return user


@login_required
@require_GET
def tree_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    return render(request, "scorecards/trees.html", {"lines": selectors.trees(), "may_import": may_import(user)})


@login_required
@require_GET
def tree_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    tree = get_object_or_404(Tree, pk=pk)
    council = services.is_council(user)
    return render(request, "scorecards/tree.html", {
        "tree": tree, "rows": selectors.rows(tree), "total": selectors.total(tree),
        "may_open": council and tree.status != TreeStatus.PUBLISHED,
        "agencies": selectors.agencies_to_open(tree) if council else [],
        "opened": tree.assessments.select_related("agency").order_by("agency__name")})


def _download(data: bytes | str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _file_name(tree: Tree) -> str:
    return f"cay-tieu-chi-{tree.scheme}-{tree.year}"


@login_required
@require_GET
def tree_json(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    tree = get_object_or_404(Tree, pk=pk)
    return _download(exchange.tree_json(tree), "application/json; charset=utf-8", f"{_file_name(tree)}.json")


@login_required
@require_GET
def tree_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    tree = get_object_or_404(Tree, pk=pk)
    response = _download(b"", XLSX, f"{_file_name(tree)}.xlsx")
    exchange.write_xlsx(tree, response)
    return response


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File of the tree (.xlsx or .json)"),
                           help_text=gettext_lazy("The sheets “Thông tin” and “Tiêu chí”, as in a tree downloaded "
                                                  "from this site; or a tree's JSON file."))
    replace = forms.BooleanField(label=gettext_lazy("Replace the draft tree of the same scheme and year"),
                                 required=False,
                                 help_text=gettext_lazy("A tree whose assessment has started is never replaced."))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".xlsx", ".json")):
            raise forms.ValidationError(_("Give an .xlsx or a .json file."))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def tree_import(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not may_import(user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                spec = exchange.read_file(upload.name, upload.read())
                tree = services.create_tree(spec, by=user, replace=form.cleaned_data["replace"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The tree “%(name)s” is saved: %(n)s criteria.")
                                 % {"name": tree.name, "n": tree.nodes.count()})
                return redirect("scorecards:tree", pk=tree.pk)
        return render(request, "scorecards/tree_import.html", {"form": form}, status=400)
    return render(request, "scorecards/tree_import.html", {"form": form})


@login_required
@require_POST
def tree_open(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not services.is_council(user):
        raise PermissionDenied
    tree = get_object_or_404(Tree, pk=pk)
    ids = [v for v in request.POST.getlist("agency") if v.isdigit()]
    agencies = list(OrgUnit.objects.current().filter(kind=UnitKind.AGENCY, pk__in=ids))
    if not agencies:
        messages.error(request, _("Choose at least one agency."))
        return redirect("scorecards:tree", pk=tree.pk)
    try:
        made = services.open_assessments(tree, agencies, by=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Assessment opened for %(n)s agency(ies). The tree is now frozen.")
                         % {"n": len(made)})
    return redirect("scorecards:tree", pk=tree.pk)


urls: list[URLPattern] = [
    path("cay/", tree_list, name="trees"),
    path("cay/nhap/", tree_import, name="tree_import"),
    path("cay/<int:pk>/", tree_detail, name="tree"),
    path("cay/<int:pk>.json", tree_json, name="tree_json"),
    path("cay/<int:pk>.xlsx", tree_xlsx, name="tree_xlsx"),
    path("cay/<int:pk>/mo/", tree_open, name="tree_open"),
]
