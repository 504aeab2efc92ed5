"""Demo reform scorecards: the departments' PAR index of the province for 2024, 2025 and 2026 on one criteria
tree of 100 points (eight areas; satisfaction 25 points, as in Lâm Đồng's department index, ``indices.md`` §4).

- 2024 and 2025 are published, loaded as results kept before motcua (``services.import_results``): Sở Xây
  dựng is 15th of 16 in 2024 and 7th of 16 in 2025 with 89.15 points, of which 21.56 for satisfaction — up 8
  places, our first user's story.
- 2026 is under way: every department's self-scores loaded, Sở Xây dựng's automatic leaves filled from the demo
  dossiers and survey answers, Cường owner of area 1, so that the simulator has something to say.
The tree and the other departments' figures are made up for the demo (a province publishes its own by decision);
generated with a fixed seed, so every run gives the same figures.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TextIO

from django.db import transaction

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User

from . import services
from .choices import ReviewStatus, TreeStatus
from .models import LegalDocument, Node, Tree

SCHEME = "par-department"
CONSTRUCTION = "000.00.22.H68"  # Sở Xây dựng (accounts.demo)
COUNCIL = "nga"
CENT = Decimal("0.01")


def _leaf(code: str, name: str, points: str, metric: str = "", rule: str = "", target: str | None = None,
          method: str = "formula", evidence: str = "") -> dict[str, Any]:
    if not metric:
        return {"code": code, "name": name, "max_points": points, "method": "manual", "evidence_required": evidence}
    return {"code": code, "name": name, "max_points": points, "method": method, "metric": metric, "rule": rule,
            "target": target}


def tree_spec(year: int) -> dict[str, Any]:
    areas = [
        ("1", "Công tác chỉ đạo, điều hành cải cách hành chính", "10", [
            _leaf("1.1", "Ban hành kế hoạch CCHC năm đúng thời hạn, đầy đủ nội dung", "3",
                  evidence="Kế hoạch CCHC năm đã ban hành"),
            _leaf("1.2", "Báo cáo CCHC định kỳ đầy đủ, đúng hạn", "2", evidence="Các báo cáo quý, năm"),
            _leaf("1.3", "Kiểm tra công tác CCHC tại các phòng, đơn vị", "2", evidence="Kế hoạch và báo cáo kiểm tra"),
            _leaf("1.4", "Thông tin, tuyên truyền về CCHC", "1.5"),
            _leaf("1.5", "Sáng kiến, giải pháp mới trong CCHC", "1.5", evidence="Quyết định công nhận sáng kiến"),
        ]),
        ("2", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", "6", [
            _leaf("2.1", "Văn bản QPPL do Sở tham mưu ban hành bảo đảm hợp pháp", "3", "legal_lawful", "proportional",
                  "1", method="register"),
            _leaf("2.2", "Rà soát, hệ thống hóa văn bản QPPL", "3", evidence="Báo cáo rà soát"),
        ]),
        ("3", "Cải cách thủ tục hành chính", "25", [
            _leaf("3.1", "TTHC được công bố, công khai đầy đủ các bộ phận", "3", "catalogue_complete", "proportional",
                  "1"),
            _leaf("3.2", "Hồ sơ được giải quyết đúng hạn", "6", "on_time_rate", "proportional", "1"),
            _leaf("3.3", "Hồ sơ được giải quyết trước hạn (mục tiêu ≥ 90%)", "4", "early_rate", "proportional", "0.9"),
            _leaf("3.4", "Hồ sơ trực tuyến toàn trình", "4", "fully_online_rate", "proportional", "0.8"),
            _leaf("3.5", "Hồ sơ thanh toán trực tuyến", "2", "paid_online_rate", "proportional", "0.8"),
            _leaf("3.6", "Hồ sơ được số hóa", "2", "digitised_rate", "proportional", "0.8"),
            _leaf("3.7", "Phản ánh, kiến nghị được xử lý đúng hạn", "2", "feedback_on_time", "proportional", "1",
                  method="feedback"),
            _leaf("3.8", "Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia", "2", "synced_rate", "proportional",
                  "1"),
        ]),
        ("4", "Cải cách tổ chức bộ máy", "8", [
            _leaf("4.1", "Sắp xếp tổ chức bộ máy theo quy định", "4"),
            _leaf("4.2", "Thực hiện quy định về phân cấp, ủy quyền", "4"),
        ]),
        ("5", "Xây dựng và nâng cao chất lượng đội ngũ công chức", "10", [
            _leaf("5.1", "Quản lý vị trí việc làm", "4"),
            _leaf("5.2", "Chấp hành kỷ luật, kỷ cương hành chính", "3"),
            _leaf("5.3", "Đánh giá, xếp loại công chức đúng quy định", "3"),
        ]),
        ("6", "Cải cách tài chính công", "6", [
            _leaf("6.1", "Thực hiện cơ chế tự chủ tài chính", "3"),
            _leaf("6.2", "Công khai ngân sách, tài sản công", "3"),
        ]),
        ("7", "Xây dựng và phát triển chính quyền điện tử, chính quyền số", "10", [
            _leaf("7.1", "Hồ sơ có kết quả điện tử", "3", "e_result_rate", "proportional", "1"),
            _leaf("7.2", "Hồ sơ tái sử dụng dữ liệu số hóa", "2", "reused_data_rate", "proportional", "0.8"),
            _leaf("7.3", "Hạ tầng, an toàn thông tin", "3"),
            _leaf("7.4", "Bộ chỉ số 766 của đơn vị", "2", "index766", "linear"),
        ]),
        ("8", "Sự hài lòng của người dân, tổ chức", "25", [
            _leaf("8.1", "Chỉ số hài lòng về sự phục vụ hành chính (khảo sát)", "20", "survey_index", "linear",
                  method="survey"),
            _leaf("8.2", "Hài lòng về giải quyết hồ sơ (766, chỉ tiêu 5.4)", "3", "dossier_satisfaction",
                  "proportional", "0.9"),
            _leaf("8.3", "Hài lòng về xử lý phản ánh, kiến nghị (766, chỉ tiêu 5.3)", "2", "feedback_satisfaction",
                  "linear", method="feedback"),
        ]),
    ]
    return {
        "scheme": SCHEME, "year": year, "name": f"Chỉ số cải cách hành chính các sở, ban, ngành năm {year}",
        "name_en": f"Administrative-reform index of the provincial departments, {year}",
        "decision": f"Quyết định phê duyệt Bộ chỉ số CCHC năm {year} của UBND tỉnh (dữ liệu minh họa)",
        "appeal_days": 5, "data_from": f"{year}-01-01", "data_to": f"{year}-12-31",
        "bands": [{"code": "A", "min": 90, "name": "Tốt"}, {"code": "B", "min": 80, "name": "Khá"},
                  {"code": "C", "min": 70, "name": "Trung bình"}],
        "nodes": [{"code": c, "name": n, "max_points": p, "children": leaves} for c, n, p, leaves in areas],
    }


def _spread(leaves: list[Node], total: Decimal, rng: random.Random, fixed: dict[str, Decimal] | None = None
            ) -> dict[str, Decimal]:
    """Points per leaf summing to ``total`` exactly: each leaf loses a random share of what it must lose."""
    fixed = fixed or {}
    free = [n for n in leaves if n.code not in fixed]
    room = sum((n.max_points for n in free), Decimal(0))
    lose = room - (total - sum(fixed.values(), Decimal(0)))
    weights = [rng.random() * float(n.max_points) for n in free]
    scale = sum(weights) or 1.0
    out = dict(fixed)
    left = lose
    for i, n in enumerate(free):
        cut = left if i == len(free) - 1 else min(n.max_points,
                                                  (lose * Decimal(weights[i] / scale)).quantize(CENT, ROUND_HALF_UP))
        cut = min(max(cut, Decimal(0)), n.max_points)
        out[n.code] = (n.max_points - cut).quantize(CENT)
        left -= cut
    if left:  # the last leaf could not take all of it: take the rest from the others in turn
        for n in free:
            take = min(left, out[n.code])
            out[n.code] -= take
            left -= take
    return out


# Totals of the 16 departments (accounts.demo order); Sở Xây dựng 15th in 2024, 7th with 89.15 in 2025.
TOTALS = {
    2024: [88.4, 86.9, 85.7, 84.2, 88.9, 83.1, 81.5, 87.5, 85.2, 82.7, 86.3, 81.8, 84.8, 80.9, 87.1, 83.6],
    2025: [91.2, 90.3, 88.6, 87.4, 92.1, 86.8, 89.15, 90.8, 87.9, 85.3, 89.7, 84.6, 88.1, 83.9, 89.4, 86.2],
    # 2026: self-scores of a cycle under way (lower than the appraised results of past years).
    2026: [78.1, 77.0, 75.9, 74.4, 79.3, 73.5, 0, 77.6, 74.8, 72.2, 76.1, 71.7, 75.0, 70.6, 76.4, 73.2],
}


def _agencies() -> list[OrgUnit]:
    from motcua.accounts.demo import AGENCIES
    by_code = {u.code: u for u in OrgUnit.objects.filter(kind=UnitKind.AGENCY)}
    return [by_code[code] for _n, _s, code in AGENCIES if code in by_code]


def _past(year: int, council: User, rng: random.Random) -> None:
    tree = Tree.objects.filter(scheme=SCHEME, year=year).first() or services.create_tree(tree_spec(year))
    if tree.status == TreeStatus.PUBLISHED:
        return
    leaves = services.leaves(tree)
    for agency, total in zip(_agencies(), TOTALS[year], strict=True):
        if tree.assessments.filter(agency=agency).exists():
            continue
        fixed = None
        if agency.code == CONSTRUCTION and year == 2025:
            # 21.56 of 25 for satisfaction (the press report), of which 17.28 from the survey.
            fixed = {"8.1": Decimal("17.28"), "8.2": Decimal("2.64"), "8.3": Decimal("1.64")}
        services.import_results(tree, agency, _spread(leaves, Decimal(str(total)), rng, fixed), council, final=True)
    services.publish(tree, council)


def _current(council: User, rng: random.Random) -> Tree:
    year = 2026
    tree = Tree.objects.filter(scheme=SCHEME, year=year).first() or services.create_tree(tree_spec(year))
    for agency, total in zip(_agencies(), TOTALS[year], strict=True):
        if tree.assessments.filter(agency=agency).exists():
            continue
        if agency.code == CONSTRUCTION:
            services.open_assessments(tree, [agency], by=council)
            continue
        # The others' self-scores so far, made up: every leaf, automatic ones included (no demo dossiers there).
        services.import_results(tree, agency, _spread(services.leaves(tree), Decimal(str(total)), rng), council,
                                final=False)
    construction = tree.assessments.get(agency__code=CONSTRUCTION)
    if not construction.owners.exists():
        leader = User.objects.get(username="giang")
        services.assign_owner(construction, tree.nodes.get(code="1"), User.objects.get(username="cuong"), leader)
        # The self-assessment so far: every manual criterion scored.
        for code, points, comment in (("1.1", "3", "Kế hoạch CCHC năm 2026 ban hành ngày 05/01/2026"),
                                      ("1.2", "2", "Đủ 4 báo cáo quý, đúng hạn"),
                                      ("1.3", "1.5", "Kiểm tra 3 trên 5 phòng"), ("1.4", "1.5", ""),
                                      ("1.5", "1", "Một sáng kiến được công nhận cấp cơ sở"),
                                      ("2.2", "3", "Báo cáo rà soát năm 2026"), ("4.1", "4", ""),
                                      ("4.2", "3.5", "Còn một nội dung ủy quyền chưa ban hành"),
                                      ("5.1", "3.5", "Đề án vị trí việc làm đã phê duyệt"), ("5.2", "3", ""),
                                      ("5.3", "3", ""), ("6.1", "2.5", ""), ("6.2", "3", ""),
                                      ("7.3", "2.5", "Chưa diễn tập ứng cứu sự cố an toàn thông tin")):
            services.self_score(construction.scores.get(node__code=code), points, comment, leader)
    return tree


def _register() -> None:
    """Four legal documents the department drafted, the older ones reviewed and found lawful (the department's
    "100% lawful" of our first user's story), through the register's services as its leader."""
    from .services import register

    agency = OrgUnit.objects.get(code=CONSTRUCTION)
    leader = User.objects.get(username="giang")
    rows = [
        ("05/2025/QĐ-UBND", "Quy định phân cấp cấp giấy phép xây dựng trên địa bàn tỉnh", dt.date(2025, 3, 12)),
        ("18/2025/QĐ-UBND", "Quy định quản lý chất lượng công trình xây dựng", dt.date(2025, 8, 20)),
        ("07/2026/QĐ-UBND", "Quy định đơn giá nhà, công trình xây dựng để bồi thường", dt.date(2026, 4, 2)),
        ("21/2026/QĐ-UBND", "Quy chế phối hợp quản lý trật tự xây dựng", dt.date(2026, 9, 15)),
    ]
    for number, title, issued in rows:
        if LegalDocument.objects.filter(agency=agency, number=number).exists():
            continue
        document = register.save_document(agency, {"number": number, "title": title, "issuer": "UBND tỉnh Lâm Đồng",
                                                   "issued_on": issued,
                                                   "effective_on": issued + dt.timedelta(days=10)}, leader)
        if issued < dt.date(2026, 6, 1):
            register.review_document(document, ReviewStatus.LAWFUL, issued + dt.timedelta(days=40), "", "", None,
                                     leader)


def seed(stdout: TextIO) -> None:
    council = User.objects.filter(username=COUNCIL).first()
    if council is None or not _agencies():
        return
    rng = random.Random(17)  # noqa: S311 - reproducible demo figures, not secrets
    with transaction.atomic():
        _register()
        _past(2024, council, rng)
        _past(2025, council, rng)
        tree = _current(council, rng)
    stdout.write(f"Reform scorecards: 2024 and 2025 published, {tree.assessments.count()} assessments under way "
                 f"for {tree.year}.\n")
