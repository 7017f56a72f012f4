"""From bytes on disk to parsed, platform-tagged configurations, with clear errors on bad input.

Which platform wrote a file is decided by the registry's signatures (netmon/platforms/detect.py)
and must be confident: a file that could be one dialect or another is refused (pass --vendor),
never scored under another vendor's rules. A file holding several configurations (two
concatenated, or one pasted twice) is split into devices, each scanned on its own; text after
a configuration's last line that does not start another one is refused with its line number,
never silently ignored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .. import platforms as registry
from ..errors import InputError
from ..platforms.detect import Detection, decide, detect, detect_scores, release_from_config, release_from_show_version
from ..platforms.model import BANNER
from ..platforms.registry import derived
from ..textlines import lines_of
from .tree import ConfigTree, any_grammar, parse_config

_CONTROL = re.compile(r"[\x00-\x02\x04-\x08\x0e-\x1a\x1c-\x1f]")  # C0 controls other than tab/CR/LF/ETX/ESC
# A CLI prompt left at the end of a terminal capture: <HUAWEI>, [~HUAWEI], Router#, Switch>.
_PROMPT = re.compile(r"^(?:<[^<>\s]+>|\[~?\*?[^\[\]\s]+\]|[\w.()-]+[#>])")
# A Markdown code fence (``` or ~~~, maybe naming a language) around a configuration published on a web page.
_FENCE = re.compile(r"^(?:```|~~~)\s*[\w+.-]*$")
_FENCE_HEAD = 8  # non-blank lines at a configuration's head where an opening fence is looked for


class _LivePlatforms(Sequence[str]):
    """The platforms that have a compliance pack, read from the registry when asked (a site
    folder on the search path counts as soon as it is loaded)."""

    def _keys(self) -> list[str]:
        return [k for k, p in registry.platforms().items() if p.compliance]

    def __getitem__(self, i):  # type: ignore[no-untyped-def,override]
        return self._keys()[i]

    def __len__(self) -> int:
        return len(self._keys())

    def __contains__(self, key: object) -> bool:
        p = registry.platforms().get(key) if isinstance(key, str) else None
        return bool(p and p.compliance)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __repr__(self) -> str:
        return repr(tuple(self._keys()))


VENDORS: Sequence[str] = _LivePlatforms()  # platforms with a compliance pack


@dataclass(slots=True)
class DeviceConfig:
    """A configuration ready for the rules: its tree, platform, and how it was read."""

    name: str  # device name (inventory) or hostname / file stem
    vendor: str  # the platform key
    source: str  # file path or archive reference (``file#2`` for the second configuration of a file)
    tree: ConfigTree
    encoding: str = "utf-8"
    notes: list[str] = field(default_factory=list)  # things the reader should know (truncation, encoding)
    detection: Detection | None = None  # None when the vendor was given (--vendor, inventory)
    release: str | None = None  # software release the configuration records, if it does
    first_line: int = 1  # where this configuration starts in its file
    facts: dict[str, object] = field(default_factory=dict)  # facts.py's extractions, computed once
    # Where the author cut lines out (``!... (other interfaces omitted)``): (line, what was cut:
    # "interfaces" or the first word of the section it sits in). Rules that judge every
    # interface say REVIEW where the cut could change them (Rule.if_elided).
    elided: list[tuple[int, str]] = field(default_factory=list)


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Text and the encoding used. UTF-8 first; GB18030 (a superset of GBK) for Chinese
    comments saved by Windows tools; a NUL byte or mostly non-text means a binary file."""
    if not data.strip():
        raise InputError.one(source, "empty file: no configuration to check")
    sample = data[:8192]
    if b"\x00" in sample:
        raise InputError.one(source, "binary file (NUL bytes), not a device configuration")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.one(
            source, "neither UTF-8 nor GBK/GB18030 text; is this a configuration file?", line
        ) from None


@derived
@cache
def _starts() -> tuple[re.Pattern[str], ...]:
    return tuple(p for plat in registry.platforms().values() for p in plat.config.starts)


@derived
@cache
def _continues() -> tuple[re.Pattern[str], ...]:
    return tuple(p for plat in registry.platforms().values() for p in plat.config.continues)


@derived
@cache
def _banners() -> tuple[re.Pattern[str], ...]:
    return tuple({p.grammar.banner.pattern: p.grammar.banner for p in registry.platforms().values()}.values())


def _banner(line: str) -> str | None:
    """The delimiter of a multi-line banner that starts on this line, if it does."""
    banners = _banners()
    if len(banners) == 1 and banners[0].pattern == BANNER.pattern and line[:1] not in ("b", "h"):
        return None  # the usual forms start with banner/header: most lines cost no regex
    for rx in banners:
        if (m := rx.match(line)) and m.group(1) not in m.group(2):
            return m.group(1)
    return None


@derived
@cache
def _literals() -> tuple[tuple[str, str], ...]:
    return tuple((head + " ", close) for head, close in any_grammar().literal_blocks.items())


def _literal(line: str) -> str | None:
    """The closing line of a literal block (an IOS macro) that starts on this line, if it does."""
    for head, close in _literals():
        if line.startswith(head):
            return close
    return None


def _fenced(lines: Sequence[str], a: int, b: int) -> tuple[int, int, list[str]]:
    """A configuration published inside a Markdown code fence: the lines it runs between (the
    fence's) and a note naming the Markdown before it, which is not read. The opening fence is
    looked for only at the head (a heading, a sentence or two, the previous fence): a line of
    tildes or backticks further down is a banner's art, not Markdown."""
    head: list[int] = []
    j = a
    while j < b and len(head) < _FENCE_HEAD:
        if lines[j].strip():
            head.append(j)
        j += 1
    fences = [j for j in head if lines[j][:1] in "`~" and _FENCE.match(lines[j].rstrip())]
    if not fences:
        return a, b, []
    opening = fences[-1]  # after a previous configuration's closing fence and the prose between
    # The closing fence, when the piece holds it (no final word split it off): at the tail only.
    tail: list[int] = []
    j = b - 1
    while j > opening and len(tail) < _FENCE_HEAD:
        if lines[j].strip():
            tail.append(j)
        j -= 1
    closing = min((j for j in tail if lines[j][:1] in "`~" and _FENCE.match(lines[j].rstrip())), default=b)
    # the caller notes what follows the configuration
    return (
        opening + 1,
        closing,
        [f"{_span(a, opening + 1)}: Markdown before the code fence the configuration is in, not read"],
    )


def _span(a: int, b: int) -> str:
    """Lines a+1..b (0-based a, exclusive b) as a reader counts them."""
    return f"line {b}" if b == a + 1 else f"lines {a + 1}-{b}"


@derived
@cache
def _pager() -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    """Every platform's pager remnants and the generic ones, by mark. Before detection the
    platform is unknown, so all of them count: each is anchored at a line's head, where no
    configuration line of any platform starts with one."""
    by_mark: dict[str, dict[str, re.Pattern[str]]] = {}
    specs = [registry.common().pager, *(p.config.pager for p in registry.platforms().values())]
    for spec in specs:
        for r in spec.values():
            by_mark.setdefault(r.mark, {})[r.re.pattern] = r.re
    return tuple((mark, tuple(rxs.values())) for mark, rxs in by_mark.items())


def _unpage(text: str) -> tuple[str, list[str], list[int]] | None:
    """The text with the remnants a terminal's pager left at the head of lines removed (the
    prompt and the escapes, backspaces or spaces that erased it): the lines, each kept in its
    place (emptied when it held only a remnant) so line numbers stay the file's, and the indexes
    of the lines cleaned. None when the text holds no remnant (one substring scan per mark)."""
    marks = [(m, rxs) for m, rxs in _pager() if m in text]
    if not marks:
        return None
    lines = lines_of(text)
    cleaned: list[int] = []
    for i, ln in enumerate(lines):
        out = ln
        again = True
        while again:  # a remnant may follow another (ESC[K after the erased prompt)
            again = False
            for mark, rxs in marks:
                if mark in out:
                    for rx in rxs:
                        if (m := rx.match(out)) and m.end():
                            out = out[m.end() :]
                            again = True
        if out is not ln:
            lines[i] = out
            cleaned.append(i)
    if not cleaned:
        return None
    return "\n".join(lines) + "\n", lines, cleaned


# A line standing for lines the author left out of a published configuration: "!... (other
# interfaces omitted)", "# ...", "…", "<snip>", "(略)", "省略". Device output never prints one.
_ELISION = re.compile(
    r"^[ \t]*[!#]?[ \t]*(?:\.{3}|…)"
    r"|^[ \t]*(?:[!#.…<(]|省略)[^\n]*?(?:<snip>|\((?:略|snip|omitted|truncated)\)|省略|(?i:\b(?:snipped|omitted|elided)\b))",
    re.M,
)
# What a mark holds ("omitted" and "Omitted" alike), looked for by plain substring scans first:
# a regex alternation over a whole file costs more than reading it.
_ELISION_HINTS = ("...", "…", "<snip>", "略", "mitted", "nipped", "lided")


_CUT_PORTS = re.compile(r"(?i)interface|\bports?\b|\bSVIs?\b|接口|端口")


def _match_rows(rx: re.Pattern[str], text: str) -> Iterator[tuple[int, re.Match[str]]]:
    """(0-based line, match) of each match of a multi-line regex: lines counted only up to the
    matches, so a text with none costs one C-speed scan."""
    row, at = 0, 0
    for m in rx.finditer(text):
        row += text.count("\n", at, m.start())
        at = m.start()
        yield row, m


def _elision_rows(text: str) -> list[int]:
    """0-based lines that are elision marks (a lone-\r file is too rare to scan)."""
    if "\n" not in text or not any(h in text for h in _ELISION_HINTS):
        return []
    return [row for row, _ in _match_rows(_ELISION, text)]


def _elisions(rows: list[int], lines: Sequence[str], a: int, b: int) -> list[tuple[int, str]]:
    """(line, scope) of each elision mark (``rows``) in lines a..b: "interfaces" when it follows an
    interface block or names ports, else the first word of the section it follows."""
    out: list[tuple[int, str]] = []
    for row in rows:
        if not a <= row < b:
            continue
        st = lines[row].strip()
        before = next(
            (lines[j] for j in range(row - 1, a - 1, -1) if lines[j][:1] not in ("", " ", "\t", "!", "#")), ""
        )
        if before.startswith("interface ") or _CUT_PORTS.search(st):
            out.append((row + 1, "interfaces"))
        else:
            out.append((row + 1, (before.split() or ["?"])[0]))
    return out


# A section header of collected command output: IOS/RGOS `show tech-support` writes
# "------------------ show running-config ------------------", VRP/Comware `display
# diagnostic-information` "===============display current-configuration===============".
_TECH_HEADER = re.compile(r"^[ \t]*[-=]{5,}[ \t]*((?:show|display)[ \t].*?)[ \t]*[-=]{5,}[ \t]*\r?$", re.M)
_CONFIG_COMMANDS = re.compile(r"^(?:show run(?:ning-config)?|display current(?:-configuration)?)(?:\s+all)?$")


def _tech_section(text: str, lines: Sequence[str]) -> tuple[int, int, str] | None:
    """(start, stop, command) of the running-configuration section of a collected-output file
    (headers naming each command), None when the file has no such header for the configuration.
    One C-speed scan of the text: a usual configuration has no header and pays nothing more."""
    heads = [(row, m.group(1)) for row, m in _match_rows(_TECH_HEADER, text)]
    for k, (i, cmd) in enumerate(heads):
        if _CONFIG_COMMANDS.match(" ".join(cmd.split())):
            stop = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
            return i + 1, stop, " ".join(cmd.split())
    return None


def _common_indent(lines: Sequence[str]) -> str:
    """The whitespace every non-blank line starts with ('' for a usual file: its first line
    decides, so this costs nothing there)."""
    leads: list[str] = []
    for ln in lines:
        body = ln.lstrip(" \t")
        if not body:
            continue
        if len(body) == len(ln):
            return ""
        leads.append(ln[: len(ln) - len(body)])
    return os.path.commonprefix(leads) if leads else ""  # noqa: RUF071 (a character prefix is meant: whitespace, not paths)


def _filler(st: str) -> bool:
    """A stripped line that is no part of a configuration: blank, a lone separator, a block
    closer, or the CLI prompt a terminal capture ends with."""
    g = any_grammar()
    return not st or (st[0] in g.comment and len(st) == 1) or st in g.section_end or bool(_PROMPT.match(st))


def _meaningful(lines: Sequence[str], i: int, limit: int) -> Iterator[int]:
    """Indexes of the next ``limit`` lines from ``i`` that are not filler."""
    seen = 0
    while i < len(lines) and seen < limit:
        if not _filler(lines[i].strip()):
            yield i
            seen += 1
        i += 1


def _more_after_end(text: str) -> bool:
    """Whether anything but filler follows a line that is a final word (``return``/``end`` at
    column 0): only then is the file split line by line. Substring search keeps the usual file
    (one final word, at its end) to a few C-speed scans."""
    for word in any_grammar().config_end:
        hits = [0] if text.startswith(word) else []
        i = text.find("\n" + word)
        while i >= 0:
            hits.append(i + 1)
            i = text.find("\n" + word, i + 1)
        for pos in hits:
            eol = text.find("\n", pos)
            line_end = len(text) if eol < 0 else eol
            if text[pos:line_end].rstrip() == word and not all(_filler(ln.strip()) for ln in lines_of(text[line_end:])):
                return True
    return False


_SEPARATOR = re.compile(r"^[#!]*$")
# What a terminal leaves after a display: the prompt, or the pager's prompt where it was stopped.
_TRAILER = re.compile(r"^(?:<[^<>]+>|\[[^\[\]]+\]|[\w.()-]+[#>]|-+ ?More ?-+.*)$")


def _drop_repeats(
    lines: Sequence[str], pieces: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], list[tuple[int, int, bool]]]]:
    """Pieces that repeat an earlier one from its start - the same configuration displayed twice,
    or a second display the operator stopped at the pager - are not other devices (round 28: an
    aborted re-display was scored as a second switch with ten FAILs). Returns the kept pieces and,
    per kept piece, the repeats (start, stop, whole). The last line of a stopped display may be cut
    short; it need only begin the line it repeats."""

    def body(a: int, b: int) -> list[str]:
        out = [t for ln in lines[a:b] if (t := ln.strip()) and not _SEPARATOR.match(t)]
        while out and _TRAILER.match(out[-1]):
            out.pop()
        return out

    kept: list[tuple[int, int]] = []
    bodies: list[list[str]] = []
    repeats: dict[tuple[int, int], list[tuple[int, int, bool]]] = {}
    for a, b in pieces:
        mine = body(a, b)
        for piece, theirs in zip(kept, bodies, strict=True):
            n = len(mine)
            if 5 <= n <= len(theirs) and mine[: n - 1] == theirs[: n - 1] and theirs[n - 1].startswith(mine[-1]):
                repeats.setdefault(piece, []).append((a, b, n == len(theirs)))
                break
        else:
            kept.append((a, b))
            bodies.append(mine)
    return kept, repeats


def split_configs(lines: Sequence[str], source: str) -> list[tuple[int, int]]:
    """(start, stop) line indexes of each configuration in the text. After a configuration's
    final line (``return``/``end`` at column 0) only blank lines, separators and a CLI prompt
    may follow, or the header of another configuration (then the text is split there)."""
    g = any_grammar()
    ends = frozenset(g.config_end)
    starts = _starts()
    pieces: list[tuple[int, int]] = []
    begin = 0
    i, n = 0, len(lines)
    while i < n:
        raw = lines[i]
        st = raw.strip()
        if delim := _banner(st):  # banner text may hold anything, even a line reading "end"
            i += 1
            while i < n and delim not in lines[i]:
                i += 1
            i += 1
            continue
        if close := _literal(st):  # likewise a macro's script, which may hold "end" and "interface"
            i += 1
            while i < n and lines[i].strip() != close:
                i += 1
            i += 1
            continue
        if st in ends and raw.rstrip() == st:  # at column 0; a pager may have padded it with spaces
            nxt = list(_meaningful(lines, i + 1, 12))
            rest = [j for j in nxt if lines[j].strip() not in ends]
            if not rest:
                i += 1
                continue
            first = rest[0]
            if any(p.match(lines[first].strip()) for p in _continues()):
                i = first  # the same device goes on (a virtual system's configuration): the caller notes it
                continue
            if any(p.search(lines[j].rstrip()) for j in rest for p in starts):
                pieces.append((begin, i + 1))
                begin = next(j for j in range(i + 1, n) if lines[j].strip())
                i = begin
                continue
            if _FENCE.match(lines[first].strip()) or any(_PROMPT.match(lines[j].strip()) for j in range(i + 1, first)):
                # A terminal capture: the prompt after the last line closes the session's output;
                # what follows it is the terminal's next command or the tool's status line. A
                # Markdown code fence likewise closes a configuration published on a web page.
                # The caller notes the lines it did not read (never cut silently).
                pieces.append((begin, i + 1))
                return pieces
            raise InputError.one(
                source,
                f"more text after the configuration's last line ({st!r} at line {i + 1}), and it does not "
                f"start another configuration; remove it or split the file",
                first + 1,
            )
        i += 1
    pieces.append((begin, n))
    return pieces


def load_device_configs(
    data: bytes,
    source: str,
    vendor: str | None = None,
    name: str | None = None,
    check_vendor: bool = True,
    version_text: str | None = None,
    merge_repeats: bool = True,
) -> list[DeviceConfig]:
    """Decode, split, identify and parse every configuration a file holds. A configuration that
    repeats an earlier one from its start (displayed twice, or a second display stopped at the
    pager) is noted on the first, not scored as another device (``merge_repeats``).

    ``vendor`` given: each configuration must not look like another platform's (a wrong --vendor
    or a mislabelled inventory entry gives meaningless results). Not given: detected, and
    refused when detection is not confident. The release comes from the configuration, else from
    version output in the same text, else from ``version_text`` (the device's saved `display
    version` / `show version`).
    """
    text, encoding = decode(data, source)
    indent = ""
    if text.lstrip("\r\n")[:1] in (" ", "\t") and (indent := _common_indent(raw := lines_of(text))):
        # A configuration pasted into a note or mail as an indented block: every line shifted
        # alike. Column 0 is where the final word and the section headers must be (and where a
        # pager left its prompt), so read it back before anything else.
        text = "\n".join(ln[len(indent) :] for ln in raw)
    unpaged = _unpage(text)
    cleaned: list[int] = []
    if unpaged is not None:
        text, lines, cleaned = unpaged
    else:
        lines = lines_of(text)
    if len(_CONTROL.findall(text, 0, 8192)) > 0.05 * min(len(text), 8192):
        raise InputError.one(source, "binary or garbled file (mostly non-printable characters)")
    if vendor is not None and vendor not in registry.platforms():
        raise InputError.one(source, f"unknown platform {vendor!r}; known: {', '.join(sorted(registry.platforms()))}")
    full_text = text  # version output anywhere in the file still names the release
    tech_note = ""
    if ("-----" in text or "=====" in text) and (section := _tech_section(text, lines)) is not None:
        # A show-tech / diagnostic-information file: only its configuration section is read. The
        # other lines are blanked, not dropped, so evidence keeps the file's line numbers.
        s0, s1, cmd = section
        lines = ["" if not s0 <= i < s1 else ln for i, ln in enumerate(lines)]
        text = "\n".join(lines)
        tech_note = f"read the '{cmd}' section (lines {s0 + 1}-{s1}) of a collected-output file; the rest not read"
    pieces = split_configs(lines, source) if _more_after_end(text) else [(0, len(lines))]
    pieces, repeats = _drop_repeats(lines, pieces) if merge_repeats else (pieces, {})
    cut_rows = _elision_rows(text)
    fenced = "```" in text or "~~~" in text
    out: list[DeviceConfig] = []
    names: set[str] = set()
    stem = Path(source).stem
    for k, (a, b) in enumerate(pieces, start=1):
        src = source if k == 1 else f"{source}#{k}"
        fence_notes: list[str] = []
        if fenced:
            a, b, fence_notes = _fenced(lines, a, b)
        part = lines[a:b]
        det = detect(part) if vendor is None or check_vendor else None
        key = vendor
        if vendor is None:
            assert det is not None
            if det.platform is None:
                raise InputError.one(src, _not_confident(det), a + 1)
            key = det.platform
        elif (
            det is not None
            and det.platform is not None
            and det.platform != vendor
            and not registry.related(det.platform, vendor)
        ):
            # Refused only where the content tells another platform confidently: where detection
            # itself cannot decide (IOS and RGOS tie on an IOS-like ZXROS file), the operator's
            # --vendor is what decides (round 28: every choice but IOS was refused).
            scores = det.scores
            if scores.get(det.platform, 0) >= scores.get(vendor, 0) + registry.common().min_margin:
                raise InputError.one(
                    src,
                    f"looks like a {registry.display_name(det.platform)} configuration, not "
                    f"{registry.display_name(vendor)}; fix --vendor (or the inventory's vendor) or omit it to auto-detect",
                    a + 1,
                )
        assert key is not None
        plat = registry.platform(key)
        tree = parse_config(lines, plat.grammar, a, b)
        notes: list[str] = fence_notes
        if vendor is not None and det is not None and det.platform is None and det.best is not None:
            notes.append(
                f"scored as {registry.display_name(vendor)} as given; the content alone does not tell ({det.describe()})"
            )
        if tech_note:
            notes.append(tech_note)
        if indent:
            notes.append(f"every line indented by {indent!r} (a pasted block): read as if at column 0")
        if encoding != "utf-8":
            notes.append(f"read as {encoding.upper()} (not UTF-8)")
        if paged := [i + 1 for i in cleaned if a <= i < b]:
            notes.append(
                f"terminal pager remnants (a '--More--' prompt, escapes) removed from {len(paged)} line(s), "
                f"first at line {paged[0]}: read as a saved terminal session"
            )
        if not tree.top:
            raise InputError.one(src, "no configuration lines (only comments or separators)", a + 1)
        if not tree.ended and (
            next((lines[j].strip() for j in range(b - 1, a - 1, -1) if lines[j].strip()), "")
            not in plat.grammar.config_last
        ):
            notes.append(
                f"no final '{tree.end_word}': the configuration may be truncated, so absent lines may be misjudged"
            )
        after = lines[b : pieces[k][0] if k < len(pieces) else len(lines)]
        if not all(_filler(ln.strip()) for ln in after):
            notes.append(
                f"{_span(b, b + len(after))} after the configuration's last line: "
                + (
                    "a Markdown code fence"
                    + (
                        ""
                        if all(_filler(ln.strip()) or _FENCE.match(ln.strip()) for ln in after)
                        else " and what follows it"
                    )
                    + ", not read"
                    if any(_FENCE.match(ln.strip()) for ln in after)
                    else "terminal output after the CLI prompt, not read"
                )
            )
        if len(pieces) > 1:
            notes.append(f"{source} holds {len(pieces)} configurations: this is #{k}, lines {a + 1}-{b}")
        if tree.ended and (tail := [j for j in range(tree.stop, b) if not _filler(lines[j].strip())]):
            # Only a `continues` line gets a piece past its final word (split_configs): the same
            # device's further output, e.g. a USG's virtual systems. The rules judge the first part.
            head = lines[tail[0]].strip()
            notes.append(
                f"{_span(tail[0], tail[-1] + 1)} after the configuration's last line ({tree.end_word!r} at line {tree.stop}) "
                f"continue the device's output from {head[:60]!r} on: not scored (the rules judge the first configuration)"
            )
        if tree.flattened:
            notes.append(
                "the capture lost its indentation: blocks rebuilt from their header lines; where blocks nest "
                "deeper than the grammar's headers, a line may be read in the wrong block"
            )
        for line, reason in tree.problems:
            notes.append(f"line {line}: {reason}")
        host = _hostname(part, plat.grammar.hostname)
        dev = name or host or (stem if len(pieces) == 1 else f"{stem}#{k}")
        if dev in names:
            dev = f"{dev}#{k}"
        names.add(dev)
        detection = det if vendor is None else None
        release = release_from_config(part, key)
        if release is None and (release := release_from_show_version(full_text, key)):
            # A terminal capture often holds `display version` before the configuration.
            notes.append(f"release {release} read from the version output in {source}")
        if release is None and version_text is not None and (release := release_from_show_version(version_text, key)):
            notes.append(f"release {release} read from the device's saved version output")
        cfg = DeviceConfig(dev, key, src, tree, encoding, notes, detection, release, a + 1)
        if cut := _elisions(cut_rows, lines, a, b):
            # Banner and macro text may read anything, "..." included: only configuration lines count.
            text_lines = {ln.number for ln in tree.walk() if ln.banner}
            cfg.elided = [(n, scope) for n, scope in cut if n not in text_lines]
        for r0, r1, whole in repeats.get((a, b), ()):
            notes.append(
                f"lines {r0 + 1}-{r1} repeat this configuration"
                + (" (a second display)" if whole else " up to where a second display stopped")
                + ": not scored as another device"
            )
        if cfg.elided:
            where = ", ".join(f"line {n} ({scope})" for n, scope in cfg.elided)
            notes.append(
                f"the author cut lines out of this configuration at {where}: verdicts that rest on what was cut are REVIEW"
            )
        out.append(cfg)
    return out


def _not_confident(det: Detection) -> str:
    choices = ", ".join(sorted(registry.platforms()))
    if det.best is None or det.score < registry.common().min_score:
        return f"cannot tell the vendor from the content; pass --vendor ({choices})"
    return (
        f"cannot tell the vendor confidently: {registry.display_name(det.best)} scores {det.score}, "
        f"{registry.display_name(det.runner_up or '')} {det.runner_up_score}; pass --vendor ({choices})"
    )


def _hostname(lines: Sequence[str], rx: re.Pattern[str]) -> str | None:
    for ln in lines:
        if m := rx.match(ln):
            return m.group(1)
    return None


def load_device_config(
    data: bytes,
    source: str,
    vendor: str | None = None,
    name: str | None = None,
    check_vendor: bool = True,
    version_text: str | None = None,
) -> DeviceConfig:
    """One device's configuration (an archived config, an inventory device's file): a text
    holding more than one is refused, naming the line where the second starts."""
    # An archive holds one display of one device: a second copy, even an identical one, is refused.
    cfgs = load_device_configs(data, source, vendor, name, check_vendor, version_text, merge_repeats=False)
    if len(cfgs) > 1:
        raise InputError.one(
            source,
            f"holds {len(cfgs)} configurations (the second starts at line {cfgs[1].first_line}); "
            "one device's configuration is expected",
            cfgs[1].first_line,
        )
    return cfgs[0]


def version_beside(path: Path) -> str | None:
    """Saved `display version` / `show version` output next to a configuration file
    (``core1.cfg`` -> ``core1.version.txt``), if there is one."""
    v = path.with_name(path.stem + ".version.txt")
    try:
        return v.read_text(encoding="utf-8", errors="replace") if v.is_file() else None
    except OSError:
        return None


def read_device_configs(path: Path, vendor: str | None = None) -> list[DeviceConfig]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.one(str(path), f"cannot read: {exc.strerror or exc}") from None
    return load_device_configs(data, str(path), vendor, version_text=version_beside(path))


def read_device_config(path: Path, vendor: str | None = None, name: str | None = None) -> DeviceConfig:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.one(str(path), f"cannot read: {exc.strerror or exc}") from None
    return load_device_config(data, str(path), vendor, name, version_text=version_beside(path))


def hostname_of(text: str, platform: str | None = None) -> str | None:
    """The host name a configuration gives itself (``sysname`` / ``hostname``)."""
    pats = (
        [registry.platform(platform).grammar.hostname]
        if platform
        else list(dict.fromkeys(p.grammar.hostname for p in registry.platforms().values()))
    )
    lines = lines_of(text)
    for p in pats:
        if h := _hostname(lines, p):
            return h
    return None


def detect_vendor(text: str) -> str | None:
    """The platform that wrote this configuration, or None when it cannot be told confidently."""
    return detect(text).platform


__all__ = [
    "VENDORS",
    "DeviceConfig",
    "decide",
    "decode",
    "detect_scores",
    "detect_vendor",
    "hostname_of",
    "load_device_config",
    "load_device_configs",
    "read_device_config",
    "read_device_configs",
    "split_configs",
]
