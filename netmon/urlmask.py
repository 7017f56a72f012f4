"""URLs fit to print: credentials in the user-info or the query are masked.

A URL is printed or logged in many places (a refused sink, a receiver that failed, Grafana,
NATS). Users paste URLs with ``?access_token=...`` or ``user:pass@`` in them; whatever netmon
then says about that URL must not repeat the secret. Call :func:`mask_url` on a URL before it
goes into a message, and :func:`mask_urls` on text that may embed URLs (a library's exception).
Masked forms are stable (``***``) so messages stay comparable.
"""

from __future__ import annotations

import re

MASK = "***"
# Query keys whose value is a credential (case-insensitive substring match): DingTalk
# access_token/sign, WeCom key, Influx token/password, NATS token, HMAC signatures, API keys...
_SECRET_KEY = re.compile(r"token|pass|pwd|secret|sign|sig|key|auth|cred|session|cookie|jwt|bearer|ticket", re.I)
# A URL inside free text: scheme://... up to whitespace or a quote/bracket that ends it.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>()\[\]{}]+")


def _mask_pairs(query: str) -> str:
    """``k=v&k2=v2`` with secret-looking keys' values masked; everything else kept verbatim."""
    out = []
    for seg in query.split("&"):
        key, eq, value = seg.partition("=")
        out.append(f"{key}={MASK}" if eq and value and _SECRET_KEY.search(key) else seg)
    return "&".join(out)


def mask_url(url: str) -> str:
    """``url`` with a user-info password and every secret-looking query value replaced by ``***``.

    ``https://oapi.dingtalk.com/robot/send?access_token=abc&sign=xyz`` ->
    ``https://oapi.dingtalk.com/robot/send?access_token=***&sign=***``;
    ``influxdb1://admin:s3cr3t@db:8086/netmon`` -> ``influxdb1://admin:***@db:8086/netmon``.
    The rest of the text is kept as written (it may be a URL that failed to parse).
    """
    text = str(url)
    rest, hsep, fragment = text.partition("#")
    head, qsep, query = rest.partition("?")
    scheme, ssep, after = head.partition("://")
    if ssep:
        netloc, slash, path = after.partition("/")
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user, psep, _pw = userinfo.partition(":")
            netloc = f"{user}{':' + MASK if psep else ''}@{hostport}"
        head = f"{scheme}://{netloc}{slash}{path}"
    return head + qsep + _mask_pairs(query) + hsep + _mask_pairs(fragment)


def mask_urls(text: str) -> str:
    """Every URL found inside ``text`` masked as by :func:`mask_url` (for library error messages)."""
    if "://" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        url = m.group(0)
        trail = len(url) - len(url.rstrip(".,;:!"))  # sentence punctuation after a URL
        return mask_url(url[: len(url) - trail]) + url[len(url) - trail :]

    return _URL_IN_TEXT.sub(one, text)
