"""Is a word one well-formed Vietnamese syllable? (initial, rhyme, at most one tone, on its vowel).

Used to tell text pasted in a legacy font encoding from Unicode: a legacy word decodes to a valid
syllable and is not one as it stands. Permissive where spelling varies (``hoà``/``hòa``,
``thuỷ``/``thủy``, both tone placements are accepted), strict on shape: a rhyme from the language's
set, and a syllable closed by ``c ch p t`` carries only the acute or the dot below.
"""

from __future__ import annotations

import unicodedata

GRAVE, ACUTE, TILDE, HOOK, DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
TONE_MARKS = frozenset((GRAVE, ACUTE, TILDE, HOOK, DOT))
STOP_TONES = frozenset((ACUTE, DOT))  # the only tones a syllable ending in c, ch, p, t can carry

INITIALS = ("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng",
            "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")
FINALS = ("c", "ch", "m", "n", "ng", "nh", "p", "t")
STOP_FINALS = frozenset(("c", "ch", "p", "t"))
FRONT_VOWELS = frozenset("eêiy")

# Rhymes without a final consonant, each with the positions its tone may sit on.
_OPEN: dict[str, frozenset[int]] = {
    **{v: frozenset({0}) for v in ("a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")},
    **{r: frozenset({0}) for r in ("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi",
                                    "ôi", "ơi", "ui", "ưi", "ưu", "ưa", "ua")},
    **{r: frozenset({0, 1}) for r in ("oa", "oe", "uy")},
    **{r: frozenset({1}) for r in ("uê", "uơ", "oai", "oay", "oao", "oeo", "uây", "uôi", "ươi",
                                    "ươu", "iêu", "yêu", "uya", "uyu")},
}
# Vowel nuclei that a final consonant closes, with the tone's position.
_CLOSED: dict[str, frozenset[int]] = {
    **{v: frozenset({0}) for v in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")},
    **{r: frozenset({1}) for r in ("oa", "oă", "oe", "uâ", "uê", "uy", "iê", "yê", "uô", "ươ",
                                    "oo")},
    "uyê": frozenset({2}),
}


def _split_tone(word: str) -> tuple[str, str | None, int | None, int]:
    """The word without its tone, the tone mark, the index of the letter that carried it, and
    how many tone marks there were."""
    letters: list[str] = []
    tone: str | None = None
    where: int | None = None
    count = 0
    for ch in unicodedata.normalize("NFD", word):
        if ch in TONE_MARKS:
            tone, where, count = ch, len(letters) - 1, count + 1
        elif unicodedata.combining(ch) and letters:
            letters[-1] += ch
        else:
            letters.append(ch)
    return unicodedata.normalize("NFC", "".join(letters)), tone, where, count


def is_syllable(word: str) -> bool:
    """True when ``word`` (any case, NFC or not) is one Vietnamese syllable."""
    bare, tone, where, count = _split_tone(word.lower())
    if count > 1 or not bare or where == -1:
        return False
    return any(_spelled_right(initial, bare[len(initial):])
               and _rhyme_ok(bare[len(initial):], tone, None if where is None else where - len(initial))
               for initial in INITIALS if bare.startswith(initial))


def _spelled_right(initial: str, rhyme: str) -> bool:
    """k, gh, ngh stand before e, ê, i, y; c, g, ng before the other vowels."""
    front = rhyme[:1] in FRONT_VOWELS
    if initial in ("k", "gh", "ngh"):
        return front
    if initial == "g" and rhyme[:1] == "i":
        return True  # "gì", "gìn": the "gi" initial before its own "i"
    return not (initial in ("c", "g", "ng") and front)


def _rhyme_ok(rhyme: str, tone: str | None, where: int | None) -> bool:
    if where is not None and where < 0:
        return False
    if rhyme in _OPEN:
        return where is None or where in _OPEN[rhyme]
    for final in FINALS:
        nucleus = rhyme[: -len(final)]
        if rhyme.endswith(final) and nucleus in _CLOSED:
            if final in STOP_FINALS and tone not in STOP_TONES:
                return False
            return where is None or where in _CLOSED[nucleus]
    return False
