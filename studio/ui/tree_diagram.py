"""The decision tree drawn as inline SVG (no network, no JS), with the path taken highlighted.

Laid out from `registry.TREE`: questions go down a column; an answer that ends in a method puts the
method to the right of its question (a second such answer goes below it, where the next question would be).
"""

from __future__ import annotations

from html import escape

from ..methods.registry import METHODS, TREE, TREE_ROOT

Q_X, Q_W, H, ROW = 10, 340, 46, 92
LEAF_X, LEAF_W = 545, 160
ON, OFF, LEAF_ON = "#4f46e5", "#c7c9d1", "#16a34a"


def _box(x, y, w, text, fill, stroke, color, bold=False):
    weight = "600" if bold else "400"
    return (f'<rect x="{x}" y="{y}" width="{w}" height="{H}" rx="10" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="2"/><text x="{x + w / 2}" y="{y + H / 2 + 5}" text-anchor="middle" '
            f'font-size="14" font-weight="{weight}" fill="{color}">{escape(text)}</text>')


def _edge(x1, y1, x2, y2, label, on, lx, ly, anchor="start"):
    color = ON if on else OFF
    return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{color}" stroke-width="{3 if on else 1.5}" '
            f'marker-end="url(#arrow-{"on" if on else "off"})"/>'
            f'<text x="{lx}" y="{ly}" font-size="12" text-anchor="{anchor}" fill="{color if on else "#6b7280"}" '
            f'font-weight="{600 if on else 400}">{escape(label)}</text>')


def tree_svg(taken: dict[str, str] | None = None, method: str | None = None) -> str:
    """`taken` maps question id → the answer on the path; `method` is the leaf reached."""
    taken = taken or {}
    order, node = [], TREE_ROOT
    while node in TREE:
        order.append(node)
        node = next((t for t in TREE[node].answers.values() if t in TREE), None)
    parts, row_of = [], {q: i for i, q in enumerate(order)}
    height = (len(order) + 1) * ROW + 10
    for qid in order:
        question, y = TREE[qid], 10 + row_of[qid] * ROW
        visited = qid in taken
        leaves = 0
        for answer, target in question.answers.items():
            on = taken.get(qid) == answer
            if target in TREE:
                ty = 10 + row_of[target] * ROW
                cx = Q_X + Q_W / 2
                parts.append(_edge(cx, y + H, cx, ty - 4, answer, on, cx + 8, (y + H + ty) / 2 + 4))
                continue
            leaf = target.removeprefix("method:")
            reached = on and leaf == method
            if leaves == 0:
                lx, ly = LEAF_X, y
                parts.append(_edge(Q_X + Q_W, y + H / 2, lx - 4, ly + H / 2, answer, on, Q_X + Q_W + 8, y + H / 2 - 8))
            else:
                lx, ly = Q_X + (Q_W - LEAF_W) / 2, y + ROW
                cx = Q_X + Q_W / 2
                parts.append(_edge(cx, y + H, cx, ly - 4, answer, on, cx + 8, (y + H + ly) / 2 + 4))
            leaves += 1
            name = METHODS[leaf].name
            parts.append(_box(lx, ly, LEAF_W, name, LEAF_ON if reached else "#f3f4f6",
                              LEAF_ON if reached else OFF, "#fff" if reached else "#374151", bold=reached))
        parts.append(_box(Q_X, y, Q_W, question.text, "#eef2ff" if visited else "#fff", ON if visited else OFF,
                          "#1f2937", bold=visited))
    markers = "".join(
        f'<marker id="arrow-{n}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
        for n, c in (("on", ON), ("off", OFF)))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LEAF_X + LEAF_W + 10} {height}" '
            f'width="100%" style="max-width:720px;font-family:sans-serif" role="img" '
            f'aria-label="decision tree"><defs>{markers}</defs>{"".join(parts)}</svg>')
