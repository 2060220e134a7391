"""What a crawl of the panel looks for on each page, read from the rendered text: an English
sentence left untranslated, a raw id (snake_case words, MIME types, "bulletin 12"), and a time
not in Vietnam's zone or not labelled. Pure functions of the text, so they are tested on their own
(tests/e2e/test_panel_crawl.py) and used by the browser crawl."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that say a fragment is English: common English function words and the panel's own English
# vocabulary that has no place in a Vietnamese sentence. Words that are also Vietnamese without
# marks ("in", "do", "no", "to", "an", "con", "ban") are left out on purpose.
ENGLISH_WORDS = frozenset([
    "the", "is", "are", "was", "were", "of", "for", "and", "not", "with", "this", "that", "your", "you",
    "be", "has", "have", "from", "must", "cannot", "can", "needs", "need", "found", "please", "try",
    "again", "here", "there", "will", "which", "what", "when", "only", "been", "into", "than", "then",
    "these", "those", "should", "would", "could", "page", "file", "error", "refused", "invalid",
    "missing", "required", "field", "value", "unknown", "approve", "approved", "approver", "submitted",
    "rejected", "draft", "published", "upload", "uploaded", "image", "images", "bulletin", "bulletins",
    "playlist", "playlists", "schedule", "schedules", "board", "boards", "unit", "units", "user",
    "users", "layout", "region", "regions", "emergency", "override", "overrides", "priority", "normal",
    "exclusive", "weight", "share", "preview", "save", "cancel", "confirm", "delete", "edit", "create",
    "created", "update", "updated", "none", "yes", "all", "every", "day", "days", "hours", "minutes",
    "seconds", "until", "since", "last", "seen", "online", "offline", "never", "expires", "expired",
    "pending", "delivered", "displayed", "unreachable"
])
MIN_ENGLISH_WORDS = 2  # a lone word may be a name or a brand; two make a phrase
WORD = re.compile(r"[A-Za-z]+")
VIETNAMESE_LETTER = re.compile(r"[à-ỹÀ-ỸđĐ]")
RAW_ID_PATTERNS = (
    ("snake_case id", re.compile(r"\b[a-z]+_[a-z0-9_]+\b")),
    ("MIME type", re.compile(r"\b(?:image|video|application|text)/[a-z0-9.+-]+\b")),
    ("object and number", re.compile(r"\b(?:bulletin|playlist|schedule|board|unit|media|user|override|layout)"
                                     r" #?\d+\b", re.IGNORECASE)),
    ("JSON field", re.compile(r"\b\w+_ids?\b: ")),
)
UTC_PATTERNS = (
    ("UTC", re.compile(r"\bUTC\b|\bZ\b")),
    ("ISO timestamp", re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")),
)
LOCAL_LABEL = "GMT+7"
DATE_TIME = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(?::\d{2})?(?P<after>.{0,7})")
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}\b")


@dataclass(frozen=True)
class Finding:
    page: str
    kind: str
    text: str


def english_words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w.lower() in ENGLISH_WORDS]


SEGMENT = re.compile(r"[:;.!?()\[\]|·–—]")


def is_english(text: str) -> bool:
    """A clause (between punctuation) of two or more English words and no Vietnamese letter: so a
    Vietnamese prefix does not hide an English message ("Bị từ chối: this file is not accepted")."""
    return any(not VIETNAMESE_LETTER.search(part)
               and len(set(map(str.lower, english_words(part)))) >= MIN_ENGLISH_WORDS
               for part in SEGMENT.split(text))


def inspect(page: str, fragments: list[str]) -> list[Finding]:
    """Every finding on one page, from its visible text fragments (and attribute texts)."""
    found: list[Finding] = []
    whole = " ".join(fragments)
    for text in fragments:
        if is_english(text):
            found.append(Finding(page, "English", text))
        for kind, pattern in RAW_ID_PATTERNS:
            found += [Finding(page, f"raw id ({kind})", m.group(0)) for m in pattern.finditer(text)]
        for kind, pattern in UTC_PATTERNS:
            found += [Finding(page, f"not local ({kind})", text) for _ in pattern.finditer(text)]
        for m in DATE_TIME.finditer(text):
            if LOCAL_LABEL not in m.group("after"):
                found.append(Finding(page, "time without its zone", m.group(0)))
    if TIME_OF_DAY.search(whole) and LOCAL_LABEL not in whole:
        first = TIME_OF_DAY.findall(whole)[0]
        found.append(Finding(page, "times on a page that never names its zone", first))
    return found


# The page's visible text fragments and the texts of attributes people read (run in the browser).
# Left out: what is marked as another language (lang="en": the language switch, the player's
# technical log line), code, and user content areas (class "user-content").
FRAGMENTS_JS = """
() => {
  const out = [];
  const skip = (el) => el.closest(
    '[lang]:not([lang="vi"]), code, script, style, noscript, .user-content, [hidden]');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text && !skip(node.parentElement)) out.push(text);
  }
  const labelled = '[placeholder], [aria-label], [title], img[alt], input[type=submit][value]';
  for (const el of document.querySelectorAll(labelled)) {
    if (skip(el)) continue;
    for (const attr of ['placeholder', 'aria-label', 'title', 'alt', 'value']) {
      if (attr === 'value' && el.type !== 'submit') continue;
      const text = (el.getAttribute(attr) || '').trim();
      if (text) out.push(text);
    }
  }
  out.push(document.title);
  return out;
}
"""
