"""Which platform wrote a configuration, and how sure we are: each platform folder's
``config.yaml`` lists signatures (regex, weight); the best score wins when it reaches
``min_score`` and leads every unrelated platform by ``min_margin`` (common/detect.yaml).
A platform that ``extends`` another is its dialect, not a rival: on a tie the parent wins,
and the margin is taken over platforms of other families.

Also here: the software release as a configuration or `display/show version` records it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from ..textlines import lines_of
from .registry import common, derived, platforms, related
from .words import literal_prefixes, spelled_first_words

# Lines looked at for signatures: the head (version, sysname, AAA) and the tail (user-interface /
# line vty, return/end); enough for any dialect and cheap on a 50,000-line file.
HEAD, TAIL = 400, 400
# The literal a signature demands at the start of a line ("^ ?sysname ", "^\\s*password ",
# "^\\$$", "^!</?..."): word characters, "!<>-" and escaped punctuation.
_LITERAL = re.compile(r"^\^(?: \?|\\s\*|\\s\?)?((?:[\w!<>-]|\\[^\w\s])+)")
_WORD_END = (" ", "$", "\\s", "\\b")


def _index_key(pattern: str) -> tuple[str, str] | None:
    """("word", first word) when the signature names a line's whole first word, ("prefix", two
    characters) when it names only how the line starts, None when it must search the text."""
    m = _LITERAL.match(pattern)
    if not m:
        return None
    lit = re.sub(r"\\(.)", r"\1", m.group(1))
    rest = pattern[m.end() :]
    if rest == "" or rest.startswith(_WORD_END):
        return "word", lit
    return ("prefix", lit[:2]) if len(lit) >= 2 else None


@dataclass(frozen=True, slots=True)
class _Sigs:
    # first word a line needs -> [(platform, signature index, regex, weight)]
    # (platform, signature index, regex, weight, texts one of which the line starts with: literal_prefixes)
    keyed: dict[str, list[tuple[str, int, re.Pattern[str], int, tuple[str, ...]]]]
    prefixed: dict[str, list[tuple[str, int, re.Pattern[str], int, tuple[str, ...]]]]  # first two characters -> ...
    loose: list[tuple[str, int, re.Pattern[str], int]]
    separators: dict[str, tuple[str, ...]]  # separator line -> platforms that print it
    scored: tuple[str, ...]  # platforms with signatures


@derived
@cache
def _signatures() -> _Sigs:
    keyed: dict[str, list[tuple[str, int, re.Pattern[str], int, tuple[str, ...]]]] = {}
    prefixed: dict[str, list[tuple[str, int, re.Pattern[str], int, tuple[str, ...]]]] = {}
    loose: list[tuple[str, int, re.Pattern[str], int]] = []
    seps: dict[str, list[str]] = {}
    scored: list[str] = []
    i = 0
    for key, p in sorted(platforms().items()):
        if not p.config.detect:
            continue
        scored.append(key)
        seps.setdefault(p.grammar.separator, []).append(key)
        for sig in p.config.detect.values():
            # An indexed signature runs on one line (no newline in it), where ``^`` and ``$`` mean
            # the same with or without MULTILINE; without it, a search tries only the line's
            # start instead of every position (a quarter of detection's time).
            rx = re.compile(sig.re.pattern)
            one_line = (key, i, rx, sig.w, literal_prefixes(rx))
            where = _index_key(sig.re.pattern)
            if where is not None:
                (keyed if where[0] == "word" else prefixed).setdefault(where[1], []).append(one_line)
            elif words := spelled_first_words(sig.re):
                # ``^(interface Aux\d|user-interface aux \d)``: under each word it spells out, rather
                # than a regex pass over the whole window (a line-anchored one is slow there).
                for word in words:
                    keyed.setdefault(word, []).append(one_line)
            else:
                loose.append((key, i, re.compile(sig.re.pattern, re.MULTILINE), sig.w))
            i += 1
    return _Sigs(keyed, prefixed, loose, {s: tuple(v) for s, v in seps.items()}, tuple(scored))


def detect_scores(text: str | Sequence[str]) -> dict[str, int]:
    """Signature score per platform. Lines are looked up by their first word, so detection costs
    one dictionary lookup per line rather than one regex pass per signature."""
    sigs = _signatures()
    lines = lines_of(text) if isinstance(text, str) else text
    if len(lines) <= HEAD + TAIL:
        window = lines
    elif lines[:HEAD].count("") < HEAD // 8 and lines[-TAIL:].count("") < TAIL // 8:
        window = [*lines[:HEAD], *lines[-TAIL:]]  # the usual file: few blank lines to skip
    else:
        window = [*_nonblank(lines, HEAD), *reversed(_nonblank(lines[::-1], TAIL))]
    found: dict[int, tuple[str, int]] = {}
    sep_count = dict.fromkeys(sigs.separators, 0)
    keyed, prefixed = sigs.keyed, sigs.prefixed
    prefix_first = frozenset(k[0] for k in prefixed)
    # A line met again (a template's " port link-type access" under every port) finds nothing new:
    # half of a switch's window.
    looked: set[str] = set()
    for raw in window:
        st = raw.strip()
        if not st:
            continue
        if st in sep_count:
            sep_count[st] += 1
        if raw in looked:
            continue
        looked.add(raw)
        for key, idx, rx, w, lit in keyed.get(st.split(" ", 1)[0], ()):
            if idx not in found and raw.startswith(lit) and rx.search(raw):
                found[idx] = (key, w)
        if st[0] in prefix_first:
            for key, idx, rx, w, lit in prefixed.get(st[:2], ()):
                if idx not in found and raw.startswith(lit) and rx.search(raw):
                    found[idx] = (key, w)
    if sigs.loose:
        head = "\n".join(window)
        seen: dict[str, bool] = {}  # a dialect inherits its parent's signatures: search each text once
        for key, idx, rx, w in sigs.loose:
            hit = seen.get(rx.pattern)
            if hit is None:
                hit = seen[rx.pattern] = rx.search(head) is not None
            if hit:
                found[idx] = (key, w)
    scores = dict.fromkeys(sigs.scored, 0)
    for key, w in found.values():
        scores[key] += w
    # The separator printed alone between sections ("#" VRP/Comware, "!" IOS/RGOS, "$" ZXROS)
    # is a strong tie-breaker between families: the platforms that do not print it lose points.
    ranked = sorted(sep_count.items(), key=lambda kv: -kv[1])
    if ranked and ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        penalty = common().separator_penalty
        for sep, keys in sigs.separators.items():
            if sep != ranked[0][0]:
                for key in keys:
                    scores[key] -= penalty
    return scores


@dataclass(frozen=True, slots=True)
class Detection:
    """The outcome of content detection: the platform (None when not confident) and why."""

    platform: str | None
    best: str | None  # the top scorer, even when not confident
    score: int
    runner_up: str | None  # the best platform of another family
    runner_up_score: int
    scores: dict[str, int] = field(default_factory=dict)

    @property
    def margin(self) -> int:
        return self.score - self.runner_up_score

    @property
    def confident(self) -> bool:
        return self.platform is not None

    def describe(self) -> str:
        from .registry import display_name

        if self.best is None or self.score < common().min_score:
            return "no platform's signatures match"
        s = f"{display_name(self.best)} (score {self.score}"
        if self.runner_up:
            s += f", {self.margin} ahead of {display_name(self.runner_up)}"
        return s + ")"

    def to_dict(self) -> dict[str, object]:
        return {
            "platform": self.platform,
            "score": self.score,
            "margin": self.margin,
            "runner_up": self.runner_up,
            "confident": self.confident,
        }


def decide(scores: dict[str, int]) -> Detection:
    """The winner of a score table, if it is sure enough."""
    regs = platforms()
    if not scores:
        return Detection(None, None, 0, None, 0, scores)
    top = max(scores.values())
    # Among the top scorers prefer the least derived (a dialect must out-score its parent).
    best = min((k for k, v in scores.items() if v == top), key=lambda k: (regs[k].depth, k))
    rivals = [(v, k) for k, v in scores.items() if not related(k, best)]
    runner_score, runner = max(rivals) if rivals else (0, None)
    c = common()
    ok = top >= c.min_score and top - runner_score >= c.min_margin
    return Detection(best if ok else None, best, top, runner, runner_score, scores)


def detect(text: str | Sequence[str]) -> Detection:
    return decide(detect_scores(text))


def detect_platform(text: str) -> str | None:
    """The platform that wrote this configuration, or None when it cannot be told confidently."""
    return detect(text).platform


# --- software release --------------------------------------------------------------------------


def _nonblank(lines: Sequence[str], count: int) -> list[str]:
    """The first ``count`` lines that are not blank (a capture double-spaced by a web page or a
    terminal's \r\r\n line ends still shows as many lines of text in the window)."""
    out: list[str] = []
    for ln in lines:
        if ln and not ln.isspace():
            out.append(ln)
            if len(out) == count:
                break
    return out


def release_from_config(lines: Sequence[str], key: str) -> str | None:
    """The release a configuration's header records (``!Software Version V200R019C10SPC500``,
    Comware's ``version 7.1.064, Release 7585P05``, ``version RGOS 11.4(1)B12P19``...)."""
    spec = platforms()[key].config.release
    pats = spec.config
    if not pats:
        return None
    n = spec.config_lines
    for ln in lines if n is None else lines[:n] if lines[:n].count("") < n // 8 else _nonblank(lines, n):
        for p in pats:
            if m := p.search(ln.rstrip()):
                return m.group("release")
    return None


def release_from_show_version(text: str, key: str) -> str | None:
    """The release ``display version`` / ``show version`` prints."""
    for p in platforms()[key].config.release.show_version:
        if m := p.search(text):
            return m.group("release")
    return None
