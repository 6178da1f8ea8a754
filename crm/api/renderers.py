"""JSON written by orjson, as DRF's JSONRenderer writes it: the same bytes for what the API answers.

orjson encodes 50 rows several times faster than `json.dumps` with DRF's encoder. What orjson does not encode
itself (Decimal, lazy translations, querysets…) goes to DRF's own `JSONEncoder.default`, and so do dates and
times (DRF writes UTC as `Z`). Pretty-printing (`Accept: application/json; indent=4`, the browsable API) and
whatever orjson refuses (an integer past 64 bits) are left to DRF's renderer.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


def dumps(data) -> bytes:
    """`data` as DRF's JSONRenderer writes it (compact, UTF-8), \u2028 and \u2029 escaped as it escapes them."""
    encoded = orjson.dumps(data, default=_default, option=OPTIONS)
    if b"\xe2\x80\xa8" in encoded or b"\xe2\x80\xa9" in encoded:
        encoded = encoded.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return encoded


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.ensure_ascii or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            return dumps(data)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
