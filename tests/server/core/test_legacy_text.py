"""Text pasted in TCVN3 (ABC) or VNI is found and converted; Unicode and ASCII are left alone."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import BaseModel

from signage_server.core.errors import Invalid
from signage_server.core.legacy_text import Encoding, Reading, convert_fields, decode, encode, read
from signage_server.core.syllables import is_syllable

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def vietnamese_letters() -> list[str]:
    """Every letter Vietnamese adds to ASCII: 12 vowels in 6 tones but the 6 plain ASCII ones, and
    đ; in small and capital."""
    small = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES]
    small = [ch for ch in small if not ch.isascii()] + ["đ"]
    return small + [ch.upper() for ch in small]


LETTERS = vietnamese_letters()


def test_there_are_134_vietnamese_letters() -> None:
    assert len(LETTERS) == len(set(LETTERS)) == 134
    assert sum(ch.islower() for ch in LETTERS) == 67


@pytest.mark.parametrize("encoding", list(Encoding))
def test_every_letter_round_trips(encoding: Encoding) -> None:
    for letter in LETTERS:
        pasted = encode(letter, encoding)
        assert pasted != letter or letter in "ýíìÍÌ", (encoding, letter)  # shared by both tables
        assert decode(pasted, encoding) == letter, (encoding, letter, pasted)


def test_the_tables_are_the_published_ones() -> None:
    assert encode("Thông báo", Encoding.TCVN3) == "Th«ng b¸o"
    assert encode("ư", Encoding.TCVN3) == "\xad"  # byte 0xAD
    assert encode("Thông báo", Encoding.VNI) == "Thoâng baùo"
    assert encode("Đường", Encoding.VNI) == "Ñöôøng"


SENTENCES = [
    "Thông báo lịch cắt điện",
    "Ủy ban nhân dân xã Tịnh Khê thông báo lịch tiếp công dân tháng 12 năm 2026",
    "Phòng chống bão số 3: người dân không ra khơi, gia cố nhà cửa trước 17 giờ",
    "ĐƯỜNG NGUYỄN HUỆ TẠM NGỪNG LƯU THÔNG",
]


@pytest.mark.parametrize("encoding", list(Encoding))
@pytest.mark.parametrize("sentence", SENTENCES)
def test_a_pasted_sentence_is_converted(sentence: str, encoding: Encoding) -> None:
    reading = read(encode(sentence, encoding))
    assert (reading.text, reading.encoding) == (sentence, encoding)


def test_the_design_example_reads_as_thong_bao() -> None:
    assert read("Th«ng b¸o").text == "Thông báo"


def test_tcvn3_decomposed_tones_follow_a_letter_only() -> None:
    assert decode("ho\xb5ng", Encoding.TCVN3) == "hoàng"
    assert decode("25\xb0C", Encoding.TCVN3) == "25°C"


@pytest.mark.parametrize("text", [
    "Hello world", "Power cut on Monday, 7:00-11:00 (area 3).", "UBND", "",
    *SENTENCES, "Xã Lý Sơn", "Trời nắng 35°C – “Tin mới” • Số 5", "Krông Búk, Đăk Hà",
])
def test_unicode_and_ascii_are_never_changed(text: str) -> None:
    reading = read(text)
    assert (reading.text, reading.encoding) == (text, None)


def test_decomposed_unicode_is_only_nfc_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", SENTENCES[0])
    reading = read(decomposed)
    assert (reading.text, reading.encoding) == (SENTENCES[0], None)


def test_unicode_and_tcvn3_together_are_refused_as_mixed() -> None:
    with pytest.raises(Invalid) as refused:
        read("Thông báo: " + encode("lịch cắt điện", Encoding.TCVN3), field="body")
    assert refused.value.code == "text.legacy_mixed"
    assert refused.value.params["field"] == "body"
    assert "TCVN3" in str(refused.value.params["encoding"])


def test_unicode_and_vni_together_are_refused_as_mixed() -> None:
    with pytest.raises(Invalid) as refused:
        read("Lịch cắt điện " + encode("Thông báo", Encoding.VNI))
    assert refused.value.code == "text.legacy_mixed"


def test_text_that_only_partly_reads_as_vietnamese_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        read("on dit où est la gare, please tell me")
    assert refused.value.code == "text.legacy_unsure"


def test_text_plausible_in_both_encodings_is_refused_as_ambiguous() -> None:
    # "ö" is "ử" in TCVN3 and "ư" in VNI; both read as Vietnamese.
    with pytest.raises(Invalid) as refused:
        read("Cöa")
    assert refused.value.code == "text.legacy_ambiguous"


def test_a_refused_text_is_named_in_its_message() -> None:
    with pytest.raises(Invalid) as refused:
        read("Th«ng b¸o Thông báo", field="title")
    assert str(refused.value).startswith("title: ")
    assert "Th«ng" in str(refused.value.params["words"])


class Form(BaseModel):
    title: str
    body: str = ""
    note: str | None = None


def test_convert_fields_reports_what_it_converted() -> None:
    form = Form(title="Th«ng b¸o", body="Power cut")
    converted, found = convert_fields(form, ["title", "body", "note"])
    assert converted.title == "Thông báo" and converted.body == "Power cut"
    assert [(c.field, c.encoding, c.before, c.after) for c in found] == [
        ("title", Encoding.TCVN3, "Th«ng b¸o", "Thông báo")]


@pytest.mark.parametrize(("word", "valid"), [
    ("người", True), ("khuya", True), ("quốc", True), ("giữa", True), ("nghiêng", True),
    ("hoà", True), ("hòa", True), ("thuỷ", True), ("tốt", True), ("tèt", False), ("Th«ng", False),
    ("baùo", False), ("hello", False), ("UBND", False),
])
def test_syllables(word: str, valid: bool) -> None:
    assert is_syllable(word) is valid


def test_tcvn3_capitals_read_through_windows_1252_convert_inside_a_word() -> None:
    # 0x96 is "Ọ" in TCVN 5712 and "–" in Windows-1252; a dash between words stays a dash.
    assert read("NG–C Tr\xadêng – Hµ Néi").text == "NGỌC Trường – Hà Nội"


@pytest.mark.parametrize(("word", "valid"), [("gì", True), ("kê", True), ("cĩ", False), ("ghe", True),
                                             ("ge", False)])
def test_syllables_follow_the_c_k_g_gh_spelling(word: str, valid: bool) -> None:
    assert is_syllable(word) is valid


def test_unicode_words_of_latin_1_letters_beside_vni_make_the_text_mixed() -> None:
    with pytest.raises(Invalid) as refused:
        read("Thông báo Thoâng baùo")
    assert refused.value.code == "text.legacy_mixed"


def test_no_name_of_the_2025_units_is_changed_nor_converted_wrongly() -> None:
    """The 2025 commune (one in three) and province names: as Unicode they stay; in either legacy
    encoding they come back exactly, or are refused (minority-language names that are no syllable),
    or stay as pasted where that is good Unicode too; never converted wrongly."""
    from vietnam_provinces import Province, Ward

    names = [w.name for w in Ward.iter_all()][::3] + [p.name for p in Province.iter_all()]  # 1 in 3: time
    converted = 0
    for name in names:
        assert read(name) == Reading(name, None)
        for encoding in Encoding:
            pasted = encode(name, encoding)
            try:
                reading = read(pasted)
            except Invalid:
                continue
            # "Sôn La" (VNI for Sơn La) is also good Unicode: without a legacy-only word it stays.
            assert reading.text == name or reading == Reading(pasted, None)
            converted += reading.text == name
    assert converted > 0.95 * 2 * len(names)
