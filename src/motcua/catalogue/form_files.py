"""Application forms the applicant downloads from a procedure page, generated here as RTF documents.

The department has not published its own files of these forms. Each one below is written for this system from
what the procedure's dossier must state (the parts the decree lists for the dossier: who applies, what is asked
for, the facts the authority checks, the applicant's undertaking), and says so at its foot; an administrator
who attaches the official file to the document (``RequiredDocument.template_file``) replaces it. RTF opens in
every word processor and can be filled in and printed; nothing here is copied from a third party's file.

A form is keyed by the ``template_name`` a required document gives ("Mẫu số 01 Phụ lục II Nghị định
217/2026/NĐ-CP"), so that every procedure version that names it offers it.
"""

from __future__ import annotations

from dataclasses import dataclass

# One line of a form: ("h", text) a numbered heading, ("f", label) a line to fill in, ("t", text) plain text.
Line = tuple[str, str]


@dataclass(frozen=True)
class FormText:
    slug: str
    title: str
    lines: tuple[Line, ...]
    signer: str


_UNDERTAKING_PERMIT = ("Tôi xin cam đoan các nội dung kê khai trên là đúng sự thật, thực hiện đúng giấy phép "
                       "xây dựng được cấp; nếu sai, tôi xin chịu hoàn toàn trách nhiệm trước pháp luật.")

CONSTRUCTION_PERMIT = FormText(
    slug="don-de-nghi-cap-giay-phep-xay-dung",
    title="ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG",
    lines=(
        ("h", "Thông tin về chủ đầu tư"),
        ("f", "Tên chủ đầu tư (tổ chức hoặc cá nhân)"),
        ("f", "Người đại diện theo pháp luật, chức vụ (đối với tổ chức)"),
        ("f", "Số định danh cá nhân hoặc mã số doanh nghiệp"),
        ("f", "Địa chỉ liên hệ"),
        ("f", "Số điện thoại, thư điện tử"),
        ("h", "Thông tin về công trình"),
        ("f", "Tên công trình, dự án"),
        ("f", "Địa điểm xây dựng: số thửa đất, số tờ bản đồ, xã/phường"),
        ("f", "Diện tích khu đất (m²)"),
        ("h", "Nội dung đề nghị cấp phép"),
        ("f", "Loại công trình, cấp công trình"),
        ("f", "Diện tích xây dựng tầng một (m²), tổng diện tích sàn (m²)"),
        ("f", "Chiều cao công trình (m), số tầng (kể cả tầng hầm, tầng lửng, tum)"),
        ("f", "Cốt xây dựng, mật độ xây dựng, hệ số sử dụng đất"),
        ("h", "Tổ chức, cá nhân lập và thẩm định, thẩm tra thiết kế xây dựng"),
        ("f", "Tên, mã số chứng chỉ năng lực hoặc chứng chỉ hành nghề"),
        ("h", "Dự kiến thời gian hoàn thành công trình"),
        ("f", "Tháng, năm"),
        ("h", "Giấy tờ kèm theo"),
        ("t", "Theo danh mục thành phần hồ sơ của thủ tục đăng trên trang thủ tục."),
        ("t", _UNDERTAKING_PERMIT),
    ),
    signer="CHỦ ĐẦU TƯ\n(Ký, ghi rõ họ tên; đóng dấu nếu là tổ chức)",
)

PRACTISING_CERTIFICATE = FormText(
    slug="don-de-nghi-cap-chung-chi-hanh-nghe",
    title="ĐƠN ĐỀ NGHỊ CẤP CHỨNG CHỈ HÀNH NGHỀ HOẠT ĐỘNG XÂY DỰNG",
    lines=(
        ("h", "Thông tin về người đề nghị"),
        ("f", "Họ và tên"),
        ("f", "Ngày, tháng, năm sinh"),
        ("f", "Quốc tịch"),
        ("f", "Số định danh cá nhân (hoặc số hộ chiếu đối với người nước ngoài)"),
        ("f", "Địa chỉ liên hệ, số điện thoại, thư điện tử"),
        ("h", "Trình độ chuyên môn"),
        ("f", "Văn bằng, chuyên ngành, cơ sở đào tạo, năm tốt nghiệp"),
        ("h", "Kinh nghiệm nghề nghiệp"),
        ("f", "Thời gian, công việc, công trình đã thực hiện"),
        ("h", "Chứng chỉ hành nghề đã được cấp (nếu có)"),
        ("f", "Số chứng chỉ, lĩnh vực, hạng, ngày cấp"),
        ("h", "Nội dung đề nghị"),
        ("f", "Lĩnh vực hành nghề, hạng đề nghị cấp"),
        ("t", "Tôi xin cam đoan các nội dung kê khai trên là đúng sự thật và chịu trách nhiệm trước pháp luật."),
    ),
    signer="NGƯỜI LÀM ĐƠN\n(Ký, ghi rõ họ tên)",
)

FEASIBILITY_SUBMISSION = FormText(
    slug="to-trinh-tham-dinh-bao-cao-nghien-cuu-kha-thi",
    title="TỜ TRÌNH THẨM ĐỊNH BÁO CÁO NGHIÊN CỨU KHẢ THI ĐẦU TƯ XÂY DỰNG",
    lines=(
        ("h", "Thông tin chung về dự án"),
        ("f", "Tên dự án"),
        ("f", "Chủ đầu tư, người đại diện, địa chỉ, số điện thoại"),
        ("f", "Địa điểm xây dựng"),
        ("f", "Nhóm dự án; loại và cấp công trình chính"),
        ("f", "Tổng mức đầu tư; nguồn vốn"),
        ("f", "Văn bản chấp thuận hoặc quyết định chủ trương đầu tư (số, ngày)"),
        ("h", "Tổ chức lập báo cáo nghiên cứu khả thi, tổ chức khảo sát xây dựng"),
        ("f", "Tên tổ chức, chứng chỉ năng lực"),
        ("h", "Nội dung đề nghị thẩm định"),
        ("f", "Báo cáo nghiên cứu khả thi lập lần đầu hoặc điều chỉnh"),
        ("h", "Giấy tờ kèm theo"),
        ("t", "Theo danh mục thành phần hồ sơ của thủ tục đăng trên trang thủ tục."),
    ),
    signer="CHỦ ĐẦU TƯ\n(Ký, ghi rõ họ tên, chức vụ, đóng dấu)",
)

FORMS: dict[str, FormText] = {
    "Mẫu số 01 Phụ lục II Nghị định 217/2026/NĐ-CP": CONSTRUCTION_PERMIT,
    "Mẫu số 01 Phụ lục III Nghị định 212/2026/NĐ-CP": PRACTISING_CERTIFICATE,
    "Mẫu số 01 Phụ lục I Nghị định 217/2026/NĐ-CP": FEASIBILITY_SUBMISSION,
}

FOOT = ("Mẫu soạn sẵn theo nội dung hồ sơ của thủ tục ({name}); khi Sở Xây dựng công bố tệp mẫu chính thức, "
        "dùng tệp đã công bố.")


def form_for(template_name: str) -> FormText | None:
    return FORMS.get(template_name.strip())


def _rtf_text(text: str) -> str:
    """RTF escapes; every non-ASCII character as ``\\uN?`` (a signed 16-bit number, as RTF wants)."""
    out = []
    for char in text:
        code = ord(char)
        if char in "\\{}":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\line ")
        elif code < 128:
            out.append(char)
        elif code < 0x10000:
            out.append(f"\\u{code - 0x10000 if code > 0x7FFF else code}?")
        else:  # outside the BMP: a UTF-16 surrogate pair
            code -= 0x10000
            for unit in (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)):
                out.append(f"\\u{unit - 0x10000}?")
    return "".join(out)


def render_rtf(form: FormText, template_name: str, agency: str) -> bytes:
    """The form as an RTF document: the national motto, the title, the addressee (the procedure's agency),
    the numbered parts with dotted lines to fill in, place and date, the signer, and the foot that says where
    the text comes from."""
    par = "\\pard\\sa120 "
    body = [
        "{\\rtf1\\ansi\\ansicpg1252\\uc1\\deff0{\\fonttbl{\\f0\\froman Times New Roman;}}"
        "\\paperw11906\\paperh16838\\margl1700\\margr1134\\margt1134\\margb1134\\f0\\fs26 ",
        "\\pard\\qc\\b " + _rtf_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") + "\\b0\\par ",
        "\\pard\\qc\\b " + _rtf_text("Độc lập - Tự do - Hạnh phúc") + "\\b0\\par\\par ",
        "\\pard\\qc\\b\\fs28 " + _rtf_text(form.title) + "\\b0\\fs26\\par\\par ",
        "\\pard\\qc " + _rtf_text(f"Kính gửi: {agency or '.' * 40}") + "\\par\\par ",
    ]
    number = 0
    for kind, text in form.lines:
        if kind == "h":
            number += 1
            body.append(par + "\\b " + _rtf_text(f"{number}. {text}") + "\\b0\\par ")
        elif kind == "f":
            body.append(par + _rtf_text(f"- {text}: ") + "." * 60 + "\\par ")
        else:
            body.append(par + _rtf_text(text) + "\\par ")
    body.append("\\par\\pard\\qr\\i " + _rtf_text("......, ngày ...... tháng ...... năm ......") + "\\i0\\par ")
    body.append("\\pard\\qr\\b " + _rtf_text(form.signer) + "\\b0\\par\\par\\par ")
    body.append("\\pard\\fs20\\i " + _rtf_text(FOOT.format(name=template_name)) + "\\i0\\fs26\\par }")
    return "".join(body).encode("ascii")
