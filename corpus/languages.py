"""Language tags as inputs declare them, reduced to ISO 639-1."""
from __future__ import annotations

import re

ISO639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
yo za zh zu""".split())
# Withdrawn codes that Java locales and old CMSs still write.
LEGACY_LANG = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}


def language_code(value: str | None) -> str | None:
    """Reduce a declared language ('en-US', 'pt_BR', 'IT-it') to ISO 639-1, else None."""
    if not value or not isinstance(value, str):
        return None
    code = re.split(r"[-_,;.\s]", value.strip(), maxsplit=1)[0].lower()
    code = LEGACY_LANG.get(code, code)
    return code if code in ISO639_1 else None
