"""The one way a JSON body (or WebSocket message) is read: anything the project could not store or answer is refused.

Python's json module reads what no view of ours can take: nesting thousands of levels deep (a
RecursionError, there or later in a serializer or encoder), numbers past a double's range (1e400
becomes inf, which PostgreSQL refuses), NUL characters (which PostgreSQL's text cannot hold) and
unpaired surrogates (which no UTF-8 encoder writes). `load_json` reads a body and refuses all of
that with a ParseError: a 400 whose `detail` says what is wrong. `JSONParser` is DRF's parser on top
of it (the project's default). `too_deep` finds nesting past the limit without parsing;
`crm.api.middleware.JsonBodyMiddleware` runs it on every JSON body before any view, so that no view
that reads JSON some other way (a DRF parser of its own, `json.loads`) meets a RecursionError.
"""

import json
import math
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.mediatypes import media_type_matches

# Far deeper than any body the API takes (three or four levels), far below Python's recursion limit.
MAX_DEPTH = 64

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

TOO_DEEP = _("The JSON is nested more than %(limit)s levels deep.")
NOT_FINITE = _("A number is out of range: it must fit a double (about ±1.8e308).")
UNSTORABLE = _("Text may not contain NUL characters or unpaired surrogates (\\u0000, \\ud800-\\udfff).")
NOT_TEXT = _("The body is not text in %(encoding)s.")
SYNTAX = _("JSON parse error - %(error)s")

# A JSON string (its escapes skipped whole), or a bracket outside of one.
_STRING_OR_BRACKET = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def is_json(content_type: str) -> bool:
    return media_type_matches(parsers.JSONParser.media_type, content_type or "")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ParseError(NOT_FINITE)
    return number


def _constant(name: str):
    # NaN, Infinity, -Infinity: not JSON, though Python writes and reads them.
    raise ParseError(NOT_FINITE)


def _check(data, *, text: bool = True) -> None:
    """Depth, and (with `text`) characters no database column or encoder takes; iterative, so nothing recurses."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            if depth > MAX_DEPTH:
                raise ParseError(TOO_DEEP % {"limit": MAX_DEPTH})
            for key, item in value.items():
                if text and _UNSTORABLE.search(key):
                    raise ParseError(UNSTORABLE)
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            if depth > MAX_DEPTH:
                raise ParseError(TOO_DEEP % {"limit": MAX_DEPTH})
            pending.extend((item, depth + 1) for item in value)
        elif text and isinstance(value, str) and _UNSTORABLE.search(value):
            raise ParseError(UNSTORABLE)


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether a JSON document nests arrays and objects more than `limit` deep; not a parse (nor a check of it)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def load_json(raw: bytes | str, *, encoding: str = "utf-8", unstorable_text: bool = False):
    """The value of a JSON document, or ParseError (400) saying why it cannot be taken.

    `unstorable_text=True` lets NUL characters and unpaired surrogates through, for a reader that
    brings each record within its columns itself (`crm.workers.records.fit`), as the shop's webhook does.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(NOT_TEXT % {"encoding": encoding}) from None
    try:
        data = json.loads(raw, parse_float=_finite, parse_constant=_constant)
    except RecursionError:
        raise ParseError(TOO_DEEP % {"limit": MAX_DEPTH}) from None
    except ValueError as error:  # the decoder's errors, and an integer of more than 4,300 digits
        raise ParseError(SYNTAX % {"error": error}) from None
    _check(data, text=not unstorable_text)
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, reading through `load_json`."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        return load_json(stream.read(), encoding=parser_context.get("encoding", settings.DEFAULT_CHARSET))
