"""Password rules, one place for the API and the command line: long enough, not the user name,
not a well-known password. Messages say what to do."""

from __future__ import annotations

import unicodedata

MIN_LENGTH = 12
MAX_LENGTH = 256
# Passwords at the top of public breach lists (with their common 12+ character variants) and
# Vietnamese favourites; a lowercase comparison, so case changes do not help.
COMMON = frozenset({
    "123456789012", "1234567890123", "12345678901234", "qwertyuiop12", "qwertyuiopasdf",
    "password1234", "password12345", "passwordpassword", "iloveyou1234", "administrator",
    "admin1234567", "adminadmin12", "abc123456789", "abcdefghijkl", "111111111111", "000000000000",
    "1q2w3e4r5t6y", "qazwsxedcrfv", "matkhau12345", "matkhaumoi123", "anhyeuem1234", "changeme1234",
    "letmein12345", "welcome12345", "trustno1trustno1", "zaq12wsxcde3", "123123123123",
    "1234qwer1234", "passw0rd1234", "p@ssw0rd1234", "vietnam12345", "hanoi1234567",
})


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    password = unicodedata.normalize("NFC", password)
    if len(password) < MIN_LENGTH:
        return f"password: use at least {MIN_LENGTH} characters (a few words make a good one)"
    if len(password) > MAX_LENGTH:
        return f"password: use at most {MAX_LENGTH} characters"
    lowered = password.lower()
    if username and username.lower() in lowered:
        return "password: must not contain the user name"
    if lowered in COMMON or len(set(lowered)) <= 2:
        return "password: this password is too common; choose another"
    return None
