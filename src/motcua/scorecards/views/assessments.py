"""The pages of the yearly cycle: the list of assessments, one assessment's page with the form of each step for
whoever may take it, the evidence files, and the publication of a tree's results. Each form posts to its own
URL, calls the service and comes back to the page (post/redirect/get); a refused action re-renders the page
with the message next to the form and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import User
from motcua.core.errors import DomainError

from .. import services
from ..choices import AssessmentStatus, TreeStatus
from ..forms import AppealForm, CouncilScoreForm, EvidenceForm, OwnerForm, SelfScoreForm
from ..models import Assessment, Evidence, Owner, Score, Tree
from ..selectors import assessments as selectors


def _reform_user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not selectors.in_reform(user):
        raise PermissionDenied
    return user


def _load(request: HttpRequest, pk: int) -> tuple[User, Assessment]:
    """The assessment, if the person may see it; else not found (its existence is not told)."""
    user = _reform_user(request)
    a = get_object_or_404(Assessment.objects.select_related("tree", "agency"), pk=pk)
    if not services.may_view(user, a):
        raise Http404
    return user, a


def _score(a: Assessment, score_pk: int) -> Score:
    return get_object_or_404(Score.objects.select_related("node", "assessment"), pk=score_pk, assessment=a)


# --- the list ---------------------------------------------------------------------------------------------


def _index(request: HttpRequest, user: User, *, error: str = "", status: int = 200) -> HttpResponse:
    visible = list(selectors.visible_assessments(user))
    council = services.is_council(user)
    context = {"assessments": visible, "groups": selectors.by_tree(visible) if services.sees_all(user) else [],
               "council": council, "error": error, "TreeStatus": TreeStatus}
    return render(request, "scorecards/assessments.html", context, status=status)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _index(request, _reform_user(request))


@login_required
@require_POST
def tree_publish(request: HttpRequest, tree_pk: int) -> HttpResponse:
    user = _reform_user(request)
    tree = get_object_or_404(Tree, pk=tree_pk)
    try:
        services.publish(tree, user)
    except DomainError as exc:
        return _index(request, user, error=exc.message, status=_status(exc))
    messages.success(request, _("The results of %(tree)s are published.") % {"tree": tree.name})
    return redirect("scorecards:index")


# --- one assessment ---------------------------------------------------------------------------------------


def _status(exc: DomainError) -> int:
    return exc.status if exc.status in (400, 403, 404, 409) else 400


def _page(request: HttpRequest, user: User, a: Assessment, *, error_key: str = "", error: str = "",
          bound: Form | None = None, status: int = 200) -> HttpResponse:
    rows = selectors.assessment_rows(a, user)
    council, leader = services.is_council(user), services.leads(user, a.agency)
    appeal_open = a.appeal_until is not None and timezone.now() <= a.appeal_until
    may_appeal = leader and a.status == AssessmentStatus.APPRAISED and appeal_open
    stage = a.status
    context: dict[str, Any] = {
        "a": a, "rows": rows, "council": council, "leader": leader, "error_key": error_key, "error": error,
        "bound": bound, "bound_key": error_key if bound is not None else "",
        "stage_self": stage == AssessmentStatus.SELF, "stage_submitted": stage == AssessmentStatus.SUBMITTED,
        "stage_appraised": stage == AssessmentStatus.APPRAISED, "stage_appealed": stage == AssessmentStatus.APPEALED,
        "may_evidence": stage in (AssessmentStatus.SELF, AssessmentStatus.APPRAISED),
        "may_appeal": may_appeal,
        "appeal_open": appeal_open,
        "may_lock": council and (stage == AssessmentStatus.APPEALED
                                 or (stage == AssessmentStatus.APPRAISED and not appeal_open)),
        "missing": services.missing_scores(a) if stage == AssessmentStatus.SELF else [],
        "history": selectors.history(a, request.GET.get("trang") or 1),
    }
    for row in rows:
        if row.score is not None:
            row.forms = _leaf_forms(row, user, a, council)
            for name, form in row.forms.items():
                if bound is not None and form.prefix == error_key:
                    row.forms[name] = bound
                    row.open = True  # the leaf's forms are shown unfolded, with the error
    if leader and stage == AssessmentStatus.SELF:
        context["owner_form"] = bound if (bound is not None and error_key == "owner") else _owner_form(a)
    if may_appeal:
        leaves = [r.score for r in rows if r.score is not None]
        context["appeal_form"] = bound if (bound is not None and error_key == "appeal") else AppealForm(
            scores=leaves)
    return render(request, "scorecards/assessment.html", context, status=status)


def _leaf_forms(row: selectors.Row, user: User, a: Assessment, council: bool) -> dict[str, Form]:
    s = row.score
    assert s is not None
    out: dict[str, Form] = {}
    if row.may_self_score and a.status == AssessmentStatus.SELF:
        form = SelfScoreForm(initial={"points": s.self_points, "comment": s.self_comment}, prefix=f"self-{s.pk}")
        hint = _("From 0 to %(max)s points.") % {"max": number_format(row.max_points)}
        if row.node.automatic:
            hint += " " + _("Leave it empty to keep the figure from the data.")
        form.fields["points"].help_text = hint
        out["self"] = form
    if row.may_self_score and a.status in (AssessmentStatus.SELF, AssessmentStatus.APPRAISED):
        out["evidence"] = EvidenceForm(prefix=f"evidence-{s.pk}")
    if council and a.status == AssessmentStatus.SUBMITTED:
        current = s.appraised_points if s.appraised_points is not None else s.self_or_auto()
        out["appraise"] = CouncilScoreForm(initial={"points": current, "reason": s.appraisal_reason},
                                           prefix=f"appraise-{s.pk}")
    if council and a.status == AssessmentStatus.APPEALED and s.appeal_points is not None:
        out["decide"] = CouncilScoreForm(initial={"points": s.decided_points, "reason": s.decision_reason},
                                         prefix=f"decide-{s.pk}")
    for name in ("appraise", "decide"):
        if name in out:
            out[name].fields["points"].help_text = (_("From 0 to %(max)s points.")
                                                    % {"max": number_format(row.max_points)})
    return out


def _owner_form(a: Assessment, data: Any = None) -> OwnerForm:
    nodes = [(n.pk, f"{n.code}. {n.name}") for n in a.tree.nodes.order_by("position")]
    officers = [(u.pk, u.get_full_name() or u.username) for u in selectors.officers_of(a.agency)]
    return OwnerForm(data, nodes=nodes, officers=officers, prefix="owner")


@login_required
@require_GET
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    return _page(request, user, a)


def _act(request: HttpRequest, user: User, a: Assessment, key: str, form: Form | None,
         call: Callable[[dict[str, Any]], Any], done: str, anchor: str = "") -> HttpResponse:
    """Validate the form, call the service and come back to the page; or show why not (nothing saved)."""
    if form is not None and not form.is_valid():
        first = next((e for errors in form.errors.values() for e in errors), _("Check the values entered."))
        return _page(request, user, a, error_key=key, error=str(first), bound=form, status=400)
    try:
        call(form.cleaned_data if form is not None else {})
    except DomainError as exc:
        return _page(request, user, a, error_key=key, error=exc.message, bound=form, status=_status(exc))
    messages.success(request, done)
    url = reverse("scorecards:assessment", args=[a.pk])
    return redirect(f"{url}#{anchor or key}")


@login_required
@require_POST
def self_score(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    s = _score(a, score_pk)
    key = f"self-{s.pk}"
    form = SelfScoreForm(request.POST, prefix=key)
    return _act(request, user, a, key, form,
                lambda d: services.self_score(s, d["points"], d["comment"], user),
                _("The self-score of %(code)s is saved.") % {"code": s.node.code}, f"leaf-{s.pk}")


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    s = _score(a, score_pk)
    key = f"evidence-{s.pk}"
    form = EvidenceForm(request.POST, request.FILES, prefix=key)
    return _act(request, user, a, key, form,
                lambda d: services.add_evidence(s, user, kind=form.kind(), file=d.get("file"), url=d.get("url") or "",
                                                dossier_code=d.get("dossier_code") or "", note=d.get("note") or ""),
                _("The evidence for %(code)s is added.") % {"code": s.node.code}, f"leaf-{s.pk}")


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    e = get_object_or_404(Evidence.objects.select_related("score__node", "score__assessment"), pk=evidence_pk,
                          score__assessment=a)
    return _act(request, user, a, f"evidence-{e.score_id}", None, lambda d: services.remove_evidence(e, user),
                _("The evidence is removed (it stays in the history)."), f"leaf-{e.score_id}")


@login_required
@require_POST
def owner_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    form = _owner_form(a, request.POST)

    def call(d: dict[str, Any]) -> Any:
        node = a.tree.nodes.get(pk=d["node"])
        return services.assign_owner(a, node, User.objects.get(pk=d["user"]), user)
    return _act(request, user, a, "owner", form, call, _("The owner is assigned."))


@login_required
@require_POST
def owner_remove(request: HttpRequest, pk: int, owner_pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    owner = get_object_or_404(Owner.objects.select_related("node", "user"), pk=owner_pk, assessment=a)
    return _act(request, user, a, "owner", None, lambda d: services.remove_owner(owner, user),
                _("The owner is removed."))


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    return _act(request, user, a, "submit", None, lambda d: services.submit(a, user),
                _("The self-assessment is submitted to the appraisal council."))


@login_required
@require_POST
def appraise(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    s = _score(a, score_pk)
    key = f"appraise-{s.pk}"
    form = CouncilScoreForm(request.POST, prefix=key)
    return _act(request, user, a, key, form, lambda d: services.appraise(s, d["points"], d["reason"], user),
                _("The appraisal of %(code)s is saved.") % {"code": s.node.code}, f"leaf-{s.pk}")


@login_required
@require_POST
def send_appraisal(request: HttpRequest, pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    return _act(request, user, a, "send", None, lambda d: services.send_appraisal(a, user),
                _("The appraisal is sent to the agency; the appeal window is open."))


@login_required
@require_POST
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    scores = [r.score for r in selectors.assessment_rows(a) if r.score is not None]
    form = AppealForm(request.POST, scores=scores)
    return _act(request, user, a, "appeal", form, lambda d: services.appeal(a, form.items(), user),
                _("The appeal is sent to the appraisal council."))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    s = _score(a, score_pk)
    key = f"decide-{s.pk}"
    form = CouncilScoreForm(request.POST, prefix=key)
    return _act(request, user, a, key, form, lambda d: services.decide(s, d["points"], d["reason"], user),
                _("The decision on %(code)s is saved.") % {"code": s.node.code}, f"leaf-{s.pk}")


@login_required
@require_POST
def lock(request: HttpRequest, pk: int) -> HttpResponse:
    user, a = _load(request, pk)
    return _act(request, user, a, "lock", None, lambda d: services.lock(a, user), _("The scores are locked."))


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    user = _reform_user(request)
    e = get_object_or_404(Evidence.objects.select_related("score__assessment__agency"), pk=pk)
    if not services.may_view(user, e.score.assessment) or not e.file:
        raise Http404
    return FileResponse(e.file.open("rb"), as_attachment=True, filename=e.file_name or "minh-chung")


urls: list[URLPattern] = [
    path("", index, name="index"),
    path("cay/<int:tree_pk>/cong-bo/", tree_publish, name="tree_publish"),
    path("minh-chung/<int:pk>/", evidence_file, name="evidence_file"),
    path("danh-gia/<int:pk>/", assessment, name="assessment"),
    path("danh-gia/<int:pk>/tu-cham/<int:score_pk>/", self_score, name="self_score"),
    path("danh-gia/<int:pk>/minh-chung/<int:score_pk>/", evidence_add, name="evidence_add"),
    path("danh-gia/<int:pk>/minh-chung/xoa/<int:evidence_pk>/", evidence_remove, name="evidence_remove"),
    path("danh-gia/<int:pk>/chu-tri/", owner_add, name="owner_add"),
    path("danh-gia/<int:pk>/chu-tri/<int:owner_pk>/xoa/", owner_remove, name="owner_remove"),
    path("danh-gia/<int:pk>/nop/", submit, name="submit"),
    path("danh-gia/<int:pk>/tham-dinh/<int:score_pk>/", appraise, name="appraise"),
    path("danh-gia/<int:pk>/gui-tham-dinh/", send_appraisal, name="send_appraisal"),
    path("danh-gia/<int:pk>/khieu-nai/", appeal, name="appeal"),
    path("danh-gia/<int:pk>/quyet-dinh/<int:score_pk>/", decide, name="decide"),
    path("danh-gia/<int:pk>/khoa/", lock, name="lock"),
]
