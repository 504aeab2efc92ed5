import unicodedata

from motcua.core.text import fold_vi, nfc


def test_fold_vi_strips_marks_and_maps_d():
    assert fold_vi("Cấp giấy phép xây dựng") == "cap giay phep xay dung"
    assert fold_vi("ĐĂNG KÝ Đất đai") == "dang ky dat dai"


def test_fold_vi_treats_decomposed_and_precomposed_alike():
    decomposed = unicodedata.normalize("NFD", "Chứng chỉ hành nghề")
    assert fold_vi(decomposed) == fold_vi("Chứng chỉ hành nghề") == "chung chi hanh nghe"


def test_nfc_composes_and_collapses_spaces():
    value = nfc(unicodedata.normalize("NFD", "  Sở   Xây dựng "))
    assert value == "Sở Xây dựng"
    assert unicodedata.is_normalized("NFC", value)
