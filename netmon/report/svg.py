"""Small self-contained SVG charts (no JavaScript library, no network access needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ["#2e7d32", "#c62828", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f"]


def bar_chart(
    labels: Sequence[str], series: Mapping[str, Sequence[float]], title: str, unit: str = "", stacked: bool = False,
    width: int = 560, height: int = 260, max_value: float | None = None, colours: Sequence[str] | None = None,
) -> str:  # fmt: skip
    """Grouped (or stacked) vertical bars; one colour per series (``colours``, else the palette)."""
    palette = list(colours or PALETTE)
    pad_l, pad_b, pad_t = 48, 52, 28
    w, h = width - pad_l - 10, height - pad_b - pad_t
    n = max(len(labels), 1)
    names = list(series)
    if stacked:
        top = max([sum(series[s][i] for s in names) for i in range(len(labels))] or [1])
    else:
        top = max([v for s in names for v in series[s]] or [1])
    top = max_value or (top or 1)
    group_w = w / n
    bar_w = group_w * 0.7 / (1 if stacked else max(len(names), 1))
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
             f'<text x="{width / 2}" y="16" text-anchor="middle" class="ct">{escape(title)}</text>']  # fmt: skip
    for k in range(5):
        y = pad_t + h - h * k / 4
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{pad_l - 4}" y="{y + 4:.1f}" text-anchor="end" class="ax">{_num(top * k / 4)}{unit}</text>'
        )
    for i, label in enumerate(labels):
        x0 = pad_l + group_w * i + group_w * 0.15
        base = 0.0
        for j, s in enumerate(names):
            v = float(series[s][i])
            bh = h * v / top if top else 0
            if stacked:
                x, y = x0, pad_t + h - h * base / top - bh
                base += v
            else:
                x, y = x0 + j * bar_w, pad_t + h - bh
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(bh, 0):.1f}" '
                f'fill="{palette[j % len(palette)]}"><title>{escape(label)} {escape(s)}: {_num(v)}{unit}</title></rect>'
            )
        parts.append(
            f'<text x="{pad_l + group_w * (i + 0.5):.1f}" y="{pad_t + h + 16}" text-anchor="middle" class="ax">{escape(label)}</text>'
        )
    parts.append(_legend(names, pad_l, height - 14, palette=palette))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(xs: Sequence[str], series: Mapping[str, Sequence[float]], title: str, unit: str = "",
               width: int = 560, height: int = 260) -> str:  # fmt: skip
    pad_l, pad_b, pad_t = 56, 52, 28
    w, h = width - pad_l - 10, height - pad_b - pad_t
    top = max([v for s in series.values() for v in s] or [1]) or 1
    n = max(len(xs) - 1, 1)
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
             f'<text x="{width / 2}" y="16" text-anchor="middle" class="ct">{escape(title)}</text>']  # fmt: skip
    for k in range(5):
        y = pad_t + h - h * k / 4
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{pad_l - 4}" y="{y + 4:.1f}" text-anchor="end" class="ax">{_num(top * k / 4)}{unit}</text>'
        )
    for i, x in enumerate(xs):
        parts.append(
            f'<text x="{pad_l + w * i / n:.1f}" y="{pad_t + h + 16}" text-anchor="middle" class="ax">{escape(x)}</text>'
        )
    for j, (name, vals) in enumerate(series.items()):
        pts = " ".join(f"{pad_l + w * i / n:.1f},{pad_t + h - h * float(v) / top:.1f}" for i, v in enumerate(vals))
        colour = PALETTE[(j + 2) % len(PALETTE)]
        parts.append(
            f'<polyline class="line" fill="none" stroke="{colour}" stroke-width="2" points="{pts}"><title>{escape(name)}</title></polyline>'
        )
        for i, v in enumerate(vals):
            parts.append(
                f'<circle cx="{pad_l + w * i / n:.1f}" cy="{pad_t + h - h * float(v) / top:.1f}" r="3" fill="{colour}"><title>{escape(name)} {escape(xs[i])}: {_num(float(v))}{unit}</title></circle>'
            )
    parts.append(_legend(list(series), pad_l, height - 14, offset=2))
    parts.append("</svg>")
    return "".join(parts)


def _legend(names: Sequence[str], x: float, y: float, offset: int = 0, palette: Sequence[str] = PALETTE) -> str:
    out = []
    for j, name in enumerate(names):
        cx = x + j * 130
        out.append(f'<rect x="{cx}" y="{y - 9}" width="10" height="10" fill="{palette[(j + offset) % len(palette)]}"/>'
                   f'<text x="{cx + 14}" y="{y}" class="ax">{escape(name)}</text>')  # fmt: skip
    return "".join(out)


def _num(v: float) -> str:
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:.1f}{suffix}"
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.1f}"
