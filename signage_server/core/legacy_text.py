"""Text pasted from old office documents in TCVN3 (ABC) or VNI, found and turned into Unicode NFC.

Such documents were typed with a font that draws Vietnamese letters at the code points of other
characters; pasted anywhere else, the letters arrive as those characters, read through Windows-1252:
"Th«ng b¸o" (TCVN3) or "Thoâng baùo" (VNI) for "Thông báo". Neither is marked as such, so a text is
judged by its words, for each encoding:

- *legacy* words: the decoding changes them into a Vietnamese syllable and as they stand they are not
  one;
- *Unicode* words: Vietnamese syllables as they stand, which the decoding leaves alone (letters the
  encoding cannot produce, such as "ị") or spoils;
- *broken* words: the decoding changes them into something that is not Vietnamese either.

A text with no legacy word is Unicode and is only NFC-normalised (plain ASCII never changes). One
encoding with legacy words, no Unicode or broken word, and a text that then reads as Vietnamese
(``READABLE_SHARE`` of its words are syllables) is converted. Anything else (Unicode and legacy words
together, both encodings plausible, words that decode to nothing) is refused with the reason, never
changed silently.

The tables are the published ones: TCVN 5712:1993 (table VN1, whose subset VN3 is the ABC fonts'
".VnTime"; its capitals drawn by the ".VnTimeH" fonts share the small letters' codes and so come out
small) and VNI-Windows (a base letter followed by a mark character).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel

from signage_server.core.errors import Invalid
from signage_server.core.syllables import ACUTE, DOT, GRAVE, HOOK, TILDE, is_syllable

READABLE_SHARE = 0.6  # of a converted text's words must be Vietnamese syllables
BROKEN_RATIO = 3  # legacy words needed for each word that decodes to no syllable
SHOWN_WORDS = 3  # words quoted in a refusal


class Encoding(StrEnum):
    TCVN3 = "tcvn3"
    VNI = "vni"


LABELS = {Encoding.TCVN3: "TCVN3 (ABC)", Encoding.VNI: "VNI"}

# TCVN 5712:1993, table VN1: byte and the letter it stands for (bytes not listed are ASCII or
# Latin-1 as they are; 0xFD is "ý" in both).
_TCVN3_TABLE = """
    0x01:Ú 0x02:Ụ 0x04:Ừ 0x05:Ử 0x06:Ữ 0x11:Ứ 0x12:Ự 0x13:Ỳ
    0x14:Ỷ 0x15:Ỹ 0x16:Ý 0x17:Ỵ 0x80:À 0x81:Ả 0x82:Ã 0x83:Á
    0x84:Ạ 0x85:Ặ 0x86:Ậ 0x87:È 0x88:Ẻ 0x89:Ẽ 0x8A:É 0x8B:Ẹ
    0x8C:Ệ 0x8D:Ì 0x8E:Ỉ 0x8F:Ĩ 0x90:Í 0x91:Ị 0x92:Ò 0x93:Ỏ
    0x94:Õ 0x95:Ó 0x96:Ọ 0x97:Ộ 0x98:Ờ 0x99:Ở 0x9A:Ỡ 0x9B:Ớ
    0x9C:Ợ 0x9D:Ù 0x9E:Ủ 0x9F:Ũ 0xA1:Ă 0xA2:Â 0xA3:Ê 0xA4:Ô
    0xA5:Ơ 0xA6:Ư 0xA7:Đ 0xA8:ă 0xA9:â 0xAA:ê 0xAB:ô 0xAC:ơ
    0xAD:ư 0xAE:đ 0xAF:Ằ 0xB5:à 0xB6:ả 0xB7:ã 0xB8:á 0xB9:ạ
    0xBA:Ẳ 0xBB:ằ 0xBC:ẳ 0xBD:ẵ 0xBE:ắ 0xBF:Ẵ 0xC0:Ắ 0xC1:Ầ
    0xC2:Ẩ 0xC3:Ẫ 0xC4:Ấ 0xC5:Ề 0xC6:ặ 0xC7:ầ 0xC8:ẩ 0xC9:ẫ
    0xCA:ấ 0xCB:ậ 0xCC:è 0xCD:Ể 0xCE:ẻ 0xCF:ẽ 0xD0:é 0xD1:ẹ
    0xD2:ề 0xD3:ể 0xD4:ễ 0xD5:ế 0xD6:ệ 0xD7:ì 0xD8:ỉ 0xD9:Ễ
    0xDA:Ế 0xDB:Ồ 0xDC:ĩ 0xDD:í 0xDE:ị 0xDF:ò 0xE0:Ổ 0xE1:ỏ
    0xE2:õ 0xE3:ó 0xE4:ọ 0xE5:ồ 0xE6:ổ 0xE7:ỗ 0xE8:ố 0xE9:ộ
    0xEA:ờ 0xEB:ở 0xEC:ỡ 0xED:ớ 0xEE:ợ 0xEF:ù 0xF0:Ỗ 0xF1:ủ
    0xF2:ũ 0xF3:ú 0xF4:ụ 0xF5:ừ 0xF6:ử 0xF7:ữ 0xF8:ứ 0xF9:ự
    0xFA:ỳ 0xFB:ỷ 0xFC:ỹ 0xFD:ý 0xFE:ỵ 0xFF:Ố
"""
# Its five tone marks, which follow a vowel in decomposed spelling.
_TCVN3_TONES = {0xB0: GRAVE, 0xB1: HOOK, 0xB2: TILDE, 0xB3: ACUTE, 0xB4: DOT}

# VNI-Windows: each vowel's spelling without a tone, then with acute, grave, hook, tilde, dot below.
_TONES = ("", ACUTE, GRAVE, HOOK, TILDE, DOT)
_VNI_TABLE: dict[str, tuple[str, ...]] = {
    "a": ("a", "aù", "aø", "aû", "aõ", "aï"),
    "â": ("aâ", "aá", "aà", "aå", "aã", "aä"),
    "ă": ("aê", "aé", "aè", "aú", "aü", "aë"),
    "e": ("e", "eù", "eø", "eû", "eõ", "eï"),
    "ê": ("eâ", "eá", "eà", "eå", "eã", "eä"),
    "o": ("o", "où", "oø", "oû", "oõ", "oï"),
    "ô": ("oâ", "oá", "oà", "oå", "oã", "oä"),
    "ơ": ("ô", "ôù", "ôø", "ôû", "ôõ", "ôï"),
    "u": ("u", "uù", "uø", "uû", "uõ", "uï"),
    "ư": ("ö", "öù", "öø", "öû", "öõ", "öï"),
    "i": ("i", "í", "ì", "æ", "ó", "ò"),
    "y": ("y", "yù", "yø", "yû", "yõ", "î"),
}
_VNI_D = ("đ", "ñ")


def _pasted(byte: int) -> set[str]:
    """The characters a legacy byte arrives as: read through Windows-1252, or as Latin-1 for the
    bytes Windows-1252 leaves undefined (and for the control range)."""
    return {chr(byte), bytes([byte]).decode("cp1252", errors="ignore")} - {""}


def _tcvn3_letters() -> dict[int, str]:
    pairs = (cell.split(":") for cell in _TCVN3_TABLE.split())
    return {int(code, 16): letter for code, letter in pairs}


def _tcvn3_decoding() -> dict[str, str]:
    return {ch: letter for byte, letter in _tcvn3_letters().items() for ch in _pasted(byte)
            if ch != letter}


def _vni_pairs() -> list[tuple[str, str]]:
    """(letter, VNI spelling) for every small and capital letter with and without its tones."""
    small = [(unicodedata.normalize("NFC", base + tone), spelled)
             for base, row in _VNI_TABLE.items() for tone, spelled in zip(_TONES, row, strict=True)]
    small.append(_VNI_D)
    return small + [(letter.upper(), spelled.upper()) for letter, spelled in small]


_TCVN3_DECODE = _tcvn3_decoding()
_TCVN3_TONE_CHARS = {chr(byte): mark for byte, mark in _TCVN3_TONES.items()}
_VNI_DECODE = {spelled: letter for letter, spelled in _vni_pairs() if spelled != letter}
# The non-ASCII letters each encoding writes as themselves ("ý" in TCVN3; "í", "ì" in VNI): the
# only ones a word the decoding leaves alone can hold and still be legacy text.
_KEPT = {
    Encoding.TCVN3: frozenset(letter for byte, letter in _tcvn3_letters().items() if letter in _pasted(byte)),
    Encoding.VNI: frozenset(spelled for letter, spelled in _vni_pairs() if spelled == letter),
}
_TCVN3_ENCODE = {letter: chr(b) for b, letter in _tcvn3_letters().items()}  # the Latin-1 view
_VNI_ENCODE = dict(_vni_pairs())

# Words: runs of letters (and legacy letters), without spaces, digits or ASCII punctuation. The
# typographic marks that Windows-1252 puts where TCVN 5712 has capitals count only inside a word.
_TYPOGRAPHIC = "‘’“”–—…•‹›"
# (Python counts U+0085, TCVN 5712's "Ặ", as a space: the spaces are listed without it.)
_SPACES = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace() and ch != "\x85")
_NOT_LETTER = re.escape(_SPACES + string.punctuation + string.digits + _TYPOGRAPHIC)
_WORD = re.compile(f"[^{_NOT_LETTER}]+(?:[{re.escape(_TYPOGRAPHIC)}]+[^{_NOT_LETTER}]+)*")
_ASCII = frozenset(chr(i) for i in range(128))


def encode(text: str, encoding: Encoding) -> str:
    """``text`` as it would be pasted from a document in ``encoding`` (for tests and examples)."""
    table = _TCVN3_ENCODE if encoding is Encoding.TCVN3 else _VNI_ENCODE
    return "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def _decode_word(word: str, encoding: Encoding) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        if encoding is Encoding.VNI and word[i:i + 2] in _VNI_DECODE:
            out.append(_VNI_DECODE[word[i:i + 2]])
            i += 2
            continue
        ch = word[i]
        if encoding is Encoding.VNI:
            out.append(_VNI_DECODE.get(ch, ch))
        elif ch in _TCVN3_TONE_CHARS and out and out[-1][-1:].isalpha():
            out.append(_TCVN3_TONE_CHARS[ch])  # a decomposed tone only where it follows a letter
        else:
            out.append(_TCVN3_DECODE.get(ch, ch))
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def decode(text: str, encoding: Encoding) -> str:
    """``text`` read as ``encoding``, word by word (spaces, digits and punctuation stay)."""
    return _WORD.sub(lambda m: _decode_word(m.group(), encoding), unicodedata.normalize("NFC", text))


@dataclass
class Tally:
    """What the words of a text say about one encoding."""

    legacy: list[str] = field(default_factory=list)
    unicode: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    words: int = 0
    readable: int = 0  # words that are syllables once decoded

    @property
    def clean(self) -> bool:
        # A few words that are no syllable either way (names such as "Đăk") may ride along with
        # plenty that are.
        return bool(self.legacy) and not self.unicode and BROKEN_RATIO * len(self.broken) <= len(self.legacy)

    def convincing(self) -> bool:
        return self.clean and self.readable >= READABLE_SHARE * self.words


def tally(text: str, encoding: Encoding) -> Tally:
    found = Tally()
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        decoded = _decode_word(word, encoding)
        as_is, after = is_syllable(word), is_syllable(decoded)
        found.words += 1
        found.readable += after
        if decoded == word:
            if as_is and not set(word) <= _KEPT[encoding] | _ASCII:
                found.unicode.append(word)  # letters this encoding cannot have produced
        elif after and not as_is:
            found.legacy.append(word)
        elif as_is and not after:
            found.unicode.append(word)
        elif not as_is and not after:
            found.broken.append(word)
    return found


class TextConversion(BaseModel):
    """One text field that arrived in a legacy encoding, as it came and as it was stored."""

    field: str
    encoding: Encoding
    before: str
    after: str


@dataclass(frozen=True)
class Reading:
    text: str  # NFC Unicode
    encoding: Encoding | None  # what it was converted from, None when it already was Unicode


def read(text: str, *, field: str = "text") -> Reading:
    """``text`` in Unicode NFC, converted from TCVN3 or VNI when it clearly is one of them.

    Raises ``Invalid`` (``text.legacy_mixed``, ``text.legacy_ambiguous``, ``text.legacy_unsure``)
    when it looks legacy but cannot be converted with confidence."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return Reading(text, None)
    tallies = {encoding: tally(text, encoding) for encoding in Encoding}
    candidates = [encoding for encoding, found in tallies.items() if found.legacy]
    if not candidates:
        return Reading(text, None)
    # Both encodings may find legacy words: the convincing one under which more of the text reads
    # as Vietnamese wins; two as good are ambiguous; with none convincing, the likelier one says why.
    convincing = [encoding for encoding in candidates if tallies[encoding].convincing()]
    best = max((tallies[encoding].readable for encoding in convincing), default=0)
    convincing = [encoding for encoding in convincing if tallies[encoding].readable == best]
    if len(convincing) > 1:
        raise _refusal("text.legacy_ambiguous", field, convincing, tallies[convincing[0]].legacy,
                       "looks like text in more than one legacy encoding ({encoding}): {words}")
    encoding = convincing[0] if convincing else max(candidates, key=lambda e: len(tallies[e].legacy))
    found = tallies[encoding]
    if found.unicode:
        raise _refusal("text.legacy_mixed", field, [encoding], found.legacy[:2] + found.unicode[:1],
                       "mixes Unicode Vietnamese with text in {encoding}: {words}")
    if not found.convincing():
        raise _refusal("text.legacy_unsure", field, [encoding], found.broken or found.legacy,
                       "may be in {encoding} but does not read as Vietnamese once converted: {words}")
    return Reading(decode(text, encoding), encoding)


def _refusal(code: str, field: str, encodings: list[Encoding], words: list[str], what: str) -> Invalid:
    named = " or ".join(LABELS[e] for e in encodings)
    shown = ", ".join(words[:SHOWN_WORDS])
    return Invalid(code, f"{field}: " + what.format(encoding=named, words=shown) +
                   "; retype it or paste it again as Unicode", field=field, encoding=named, words=shown)


M = TypeVar("M", bound=BaseModel)


def convert_fields(model: M, names: Iterable[str]) -> tuple[M, list[TextConversion]]:
    """``model`` with its text fields ``names`` read by ``read`` (the ones that were converted
    replaced), and what was converted."""
    updates: dict[str, str] = {}
    found: list[TextConversion] = []
    for name in names:
        value = getattr(model, name, None)
        if not isinstance(value, str) or not value:
            continue
        reading = read(value, field=name)
        if reading.encoding is not None:
            updates[name] = reading.text
            found.append(TextConversion(field=name, encoding=reading.encoding, before=value,
                                        after=reading.text))
    return (model.model_copy(update=updates) if updates else model), found
