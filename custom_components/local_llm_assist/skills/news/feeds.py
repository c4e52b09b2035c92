"""Headlines from RSS 2.0 and Atom documents, parsed defensively.

The standard library's XML parser expands entities declared in a DTD; a hostile feed can use
that to blow up memory ("billion laughs") or to reference local files. So a document is refused
if it is larger than a cap or declares a DTD at all: news feeds have no need for one. The check is
made by the XML parser itself, which reads the document in the encoding it declares (a byte
search for "<!DOCTYPE" misses one written in UTF-16).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

MAX_FEED_BYTES = 1_000_000
MAX_HEADLINE_CHARS = 200
_ATOM = "{http://www.w3.org/2005/Atom}"


class FeedError(Exception):
    """A feed that cannot be read; `code` names the reason."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


def parse_headlines(document: bytes, limit: int) -> list[str]:
    """The first `limit` item titles of an RSS or Atom feed, whitespace tidied."""
    if len(document) > MAX_FEED_BYTES:
        raise FeedError("feed_too_large")
    _refuse_dtd(document)
    try:
        root = ET.fromstring(document)
    except (ET.ParseError, ValueError, LookupError) as err:  # ValueError, LookupError: an unusable encoding
        raise FeedError("feed_malformed", str(err)) from err
    if root.tag == "rss":
        titles = [item.findtext("title") for item in root.iterfind("channel/item")]
    elif root.tag == f"{_ATOM}feed":
        titles = [entry.findtext(f"{_ATOM}title") for entry in root.iterfind(f"{_ATOM}entry")]
    else:
        raise FeedError("feed_malformed", f"not an RSS or Atom feed: <{root.tag}>")
    headlines = [" ".join(title.split())[:MAX_HEADLINE_CHARS] for title in titles if title and title.strip()]
    return headlines[:limit]


def _refuse_dtd(document: bytes) -> None:
    """A first pass of expat that stops at a DTD, before anything in it is expanded."""

    def refuse(*_: object) -> None:
        raise FeedError("feed_malformed", "DTDs are not accepted")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(document, True)
    except (expat.ExpatError, ValueError, LookupError) as err:
        raise FeedError("feed_malformed", str(err)) from err
