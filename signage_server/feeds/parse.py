"""A feed document (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, by feedparser) to plain entries: HTML turned
into text by a real parser (tags dropped, entities decoded, blocks become line breaks, scripts and
styles dropped whole), NFC-normalised, each keyed by the sha256 of its guid, or link, or text."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from xml.sax import SAXException

import feedparser

from signage_contract import nfc
from signage_server.core.errors import Invalid

TITLE_MAX = 300
TEXT_MAX = 5000
MAX_ENTRIES = 50  # newest first in every feed seen; a feed of thousands is cut here
_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                     "section", "article", "ul", "ol", "table"})
_DROPPED = frozenset({"script", "style", "template", "iframe", "object", "noscript"})
_SPACES = re.compile(r"[ \t\r\f\v\u200b]+")


@dataclass(frozen=True)
class FeedItem:
    """One entry as the boards will say it."""

    key: str  # sha256 hex of guid / link / title+text
    title: str
    text: str


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropping = max(0, self._dropping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(data)


def plain_text(html: str) -> str:
    """The text a reader sees in ``html``: NFC, spaces collapsed (NO-BREAK SPACE kept), at most one
    empty line between paragraphs."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return nfc(re.sub(r"\n{3,}", "\n\n", text).strip())


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a space when there is one (never inside a syllable)."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + "…"


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def parse_feed(document: bytes) -> list[FeedItem]:
    """The entries of a feed document, in its order, without duplicates and without empty ones.
    ``Invalid`` (``feed.invalid``) when it is not a feed."""
    parsed = feedparser.parse(document, sanitize_html=False, resolve_relative_uris=False)
    broken = parsed.get("bozo_exception")
    if isinstance(broken, SAXException):
        # feedparser would read on leniently; a cut or broken document may carry cut entries.
        reason = str(broken)[:200] or "not well-formed"
        raise Invalid("feed.invalid", f"not an RSS or Atom feed: {reason}", reason=reason)
    if not parsed.entries and not parsed.get("version"):
        raise Invalid("feed.invalid", "not an RSS or Atom feed", reason="no feed element")
    found: dict[str, FeedItem] = {}
    for entry in parsed.entries[:MAX_ENTRIES]:
        item = _item(entry)
        if item is not None and item.key not in found:
            found[item.key] = item
    return list(found.values())


def _item(entry: feedparser.FeedParserDict) -> FeedItem | None:
    title = _cut(plain_text(str(entry.get("title", ""))), TITLE_MAX)
    body = str(entry.get("summary", ""))
    contents = entry.get("content") or []
    if contents:
        body = str(contents[0].get("value", body))
    text = _cut(plain_text(body), TEXT_MAX)
    if not title and not text:
        return None
    ident = str(entry.get("id") or entry.get("guid") or "").strip()
    link = str(entry.get("link") or "").strip()
    key = _key("id", ident) if ident else _key("link", link) if link else _key("text", title, text)
    return FeedItem(key=key, title=title or _cut(text, TITLE_MAX), text=text)
