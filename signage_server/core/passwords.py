"""Password rules, one place for the API, the panel and the command line: long enough, not the user
name, and hard to guess by zxcvbn's estimate (patterns, keyboard rows, repeats, dates, common
passwords and words), counting the user's own names, their unit's names and the provinces as known
words. Each refusal says why and what to do, in Vietnamese and in English."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn 0-4; 3: "safely unguessable", about 10^8 guesses and more
# Words people here build passwords from, which zxcvbn's English lists do not hold.
VIETNAMESE_WORDS = (
    "matkhau", "matkhaumoi", "anhyeuem", "emyeuanh", "yeuem", "vietnam", "hanoi", "saigon", "hochiminh",
    "quantri", "quantrivien", "bangtin", "bangtindientu", "thongbao", "uybannhandan", "ubnd",
)


# What unit names start with ("Tỉnh Quảng Ngãi"): a guesser tries "quangngai".
UNIT_PREFIXES = ("thanh pho ", "tinh ", "phuong ", "xa ", "dac khu ", "thi tran ", "thon ", "to dan pho ")


@dataclass(frozen=True)
class PasswordProblem:
    reason: str  # too_short, too_long, contains_user_name, too_guessable
    en: str
    vi: str
    score: int | None = None  # zxcvbn's, for too_guessable


def without_marks(text: str) -> str:
    """Vietnamese letters without their diacritics, case kept: "Quảng Ngãi" -> "Quang Ngai"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case without diacritics: "Quảng Ngãi" -> "quang ngai"."""
    return without_marks(text).lower()


def known_words(names: Iterable[str]) -> list[str]:
    """What a guesser tries first for these names, likeliest first (zxcvbn ranks by position): each
    folded name run together ("nguyenvanan"), then each word of three letters or more."""
    whole: list[str] = []
    words: list[str] = []
    for name in names:
        folded = " ".join("".join(c if c.isalnum() else " " for c in fold(name)).split())
        bare = next((folded[len(p):] for p in UNIT_PREFIXES if folded.startswith(p)), folded)
        whole.extend(["".join(bare.split()), "".join(folded.split())])
        words.extend(p for p in bare.split() if len(p) >= 3)
    return list(dict.fromkeys(w for w in whole + words if w))


# zxcvbn's feedback sentences (a fixed set) in Vietnamese.
FEEDBACK_VI = {
    "Use a few words, avoid common phrases.": "Dùng vài từ, tránh các cụm từ phổ biến.",
    "No need for symbols, digits, or uppercase letters.": "Không cần ký hiệu, chữ số hay chữ hoa.",
    "Add another word or two. Uncommon words are better.": "Thêm một hai từ nữa; từ ít gặp thì tốt hơn.",
    "Straight rows of keys are easy to guess.": "Một hàng phím liền nhau rất dễ đoán.",
    "Short keyboard patterns are easy to guess.": "Các mẫu phím ngắn rất dễ đoán.",
    "Use a longer keyboard pattern with more turns.": "Dùng mẫu phím dài hơn, đổi hướng nhiều hơn.",
    'Repeats like "aaa" are easy to guess.': "Lặp lại như \"aaa\" rất dễ đoán.",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        "Lặp lại như \"abcabcabc\" chỉ khó đoán hơn \"abc\" một chút.",
    "Avoid repeated words and characters.": "Tránh lặp lại từ và ký tự.",
    'Sequences like "abc" or "6543" are easy to guess.': "Dãy như \"abc\" hay \"6543\" rất dễ đoán.",
    "Avoid sequences.": "Tránh các dãy liên tiếp.",
    "Recent years are easy to guess.": "Các năm gần đây rất dễ đoán.",
    "Avoid recent years.": "Tránh các năm gần đây.",
    "Avoid years that are associated with you.": "Tránh các năm gắn với bạn.",
    "Dates are often easy to guess.": "Ngày tháng thường dễ đoán.",
    "Avoid dates and years that are associated with you.": "Tránh ngày tháng và năm gắn với bạn.",
    "This is a top-10 common password.": "Đây là một trong 10 mật khẩu phổ biến nhất.",
    "This is a top-100 common password.": "Đây là một trong 100 mật khẩu phổ biến nhất.",
    "This is a very common password.": "Đây là mật khẩu rất phổ biến.",
    "This is similar to a commonly used password.": "Mật khẩu này giống một mật khẩu phổ biến.",
    "A word by itself is easy to guess.": "Một từ đứng riêng rất dễ đoán.",
    "Names and surnames by themselves are easy to guess.": "Tên và họ đứng riêng rất dễ đoán.",
    "Common names and surnames are easy to guess.": "Tên và họ phổ biến rất dễ đoán.",
    "Capitalization doesn't help very much.": "Viết hoa chữ đầu không giúp được mấy.",
    "All-uppercase is almost as easy to guess as all-lowercase.":
        "Viết hoa toàn bộ cũng dễ đoán như viết thường.",
    "Reversed words aren't much harder to guess.": "Viết ngược từ không khó đoán hơn bao nhiêu.",
    "Predictable substitutions like '@' instead of 'a' don't help very much.":
        "Thay thế dễ đoán như '@' thay cho 'a' không giúp được mấy.",
}
OWN_NAMES = ("It contains a name or a common word (yours, your unit's, a place's).",
             "Mật khẩu chứa một tên hoặc một từ phổ biến (của bạn, của đơn vị, một địa danh).")
GUESSABLE = ("password: too easy to guess", "mật khẩu: quá dễ đoán")


def _guessable(score: int, sentences: list[str], own_names: bool) -> PasswordProblem:
    """zxcvbn's verdict and advice, with a sentence of ours when a known name made it easy."""
    sentences = [s for s in sentences if s]
    if own_names:
        sentences.insert(0, OWN_NAMES[0])
    en = " ".join(sentences)
    vi = " ".join(OWN_NAMES[1] if s == OWN_NAMES[0] else FEEDBACK_VI.get(s, s) for s in sentences)
    return PasswordProblem("too_guessable", f"{GUESSABLE[0]}. {en}".strip(), f"{GUESSABLE[1]}. {vi}".strip(),
                           score=score)


def password_problem(password: str, *, username: str = "",
                     user_inputs: Sequence[str] = ()) -> PasswordProblem | None:
    """Why this password is refused, or None when it is acceptable. ``user_inputs``: names a
    guesser would try for this account (full name, unit names); they count as easy words."""
    password = unicodedata.normalize("NFC", password)
    if len(password) < MIN_LENGTH:
        return PasswordProblem(
            "too_short", f"password: use at least {MIN_LENGTH} characters (a few words make a good one)",
            f"mật khẩu: cần ít nhất {MIN_LENGTH} ký tự (vài từ ghép lại là một mật khẩu tốt)")
    if len(password) > MAX_LENGTH:
        return PasswordProblem("too_long", f"password: use at most {MAX_LENGTH} characters",
                               f"mật khẩu: tối đa {MAX_LENGTH} ký tự")
    if username and username.lower() in password.lower():
        return PasswordProblem("contains_user_name", "password: must not contain the user name",
                               "mật khẩu: không được chứa tên đăng nhập")
    names = known_words([username, *user_inputs])
    inputs = [w for w in names if w not in VIETNAMESE_WORDS] + list(VIETNAMESE_WORDS)
    result = zxcvbn(without_marks(password), user_inputs=inputs)  # "Quảng" is guessed like "Quang"
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    own_names = any(m.get("dictionary_name") == "user_inputs" for m in result["sequence"])
    return _guessable(int(result["score"]), [feedback["warning"], *feedback["suggestions"]], own_names)
