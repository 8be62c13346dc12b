"""The map for a terminal (box drawing, ASCII on a console that cannot encode it), as Mermaid (to paste into
Markdown docs) and as a standalone HTML page (no external asset, opens offline)."""
from __future__ import annotations

import html
import textwrap
from dataclasses import replace
from typing import Callable

from .model import ARRIVES, LOST, Item, Node

WIDTH = 100
INDENT = 4
MARKS = {True: {ARRIVES: "✔", LOST: "✖", "unknown": "?"}, False: {ARRIVES: "+", LOST: "x", "unknown": "?"}}
BOX = {True: "┌─┐│└┘▼", False: "+-+|++v"}
KIND_TITLE = {"host": "HOST", "outer": "OUTER CONTAINER", "module": "MODULE CONTAINER"}


def masked(node: Node, mask: Callable[[str], str]) -> Node:
    """The same map with every text through the masking boundary (before any layout: widths stay right)."""
    return replace(node, title=mask(node.title), daemon=mask(node.daemon), where=mask(node.where),
                   also=[mask(w) for w in node.also],
                   items=[Item(i.kind, mask(i.text), i.state, mask(i.note)) for i in node.items],
                   children=[masked(c, mask) for c in node.children])


def _item_line(item: Item, unicode: bool) -> str:
    note = f"  ({item.note})" if item.note else ""
    state = "" if item.state == ARRIVES else f"{item.state.upper()}: "
    return f"{MARKS[unicode][item.state]} {item.kind:<8} {state}{item.text}{note}"


def _box(node: Node, depth: int, unicode: bool) -> list[str]:
    tl, h, tr, v, bl, br = tuple(BOX[unicode][:6])
    pad = " " * (INDENT * depth)
    inner = WIDTH - len(pad) - 4
    head = f"{KIND_TITLE[node.kind]}: {node.title}" + (f"  [{' or '.join(node.places)}]" if node.places else "")
    body = [head, f"daemon: {node.daemon}"] + [_item_line(i, unicode) for i in node.items]
    lines = [pad + tl + h * (inner + 2) + tr]
    for text in body:
        for piece in textwrap.wrap(text, inner, subsequent_indent="    ") or [""]:
            lines.append(f"{pad}{v} {piece.ljust(inner)} {v}")
    lines.append(pad + bl + h * (inner + 2) + br)
    return lines


def terminal(root: Node, unicode: bool) -> str:
    """Boxes top-down, each level below and to the right of the one that starts it."""
    arrow, bar = BOX[unicode][6], BOX[unicode][3]
    out: list[str] = []

    def draw(node: Node, depth: int) -> None:
        out.extend(_box(node, depth, unicode))
        for child in node.children:
            pad = " " * (INDENT * depth + 2)
            out.extend([pad + bar, pad + arrow])
            draw(child, depth + 1)

    draw(root, 0)
    out.append("")
    out.append("legend: " + ", ".join(f"{m} {s}" for s, m in MARKS[unicode].items()))
    return "\n".join(out)


def _mermaid_text(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(root: Node) -> str:
    """A Mermaid flowchart: one node per level, its daemon and items as lines; lost items marked."""
    lines = ["flowchart TD"]
    ids: dict[int, str] = {}
    for n, node in enumerate(root.walk()):
        ids[id(node)] = f"n{n}"
        body = [f"<b>{_mermaid_text(KIND_TITLE[node.kind] + ': ' + node.title)}</b>",
                _mermaid_text("daemon: " + node.daemon)]
        body += [_mermaid_text(_item_line(i, True)) for i in node.items]
        lines.append(f'    n{n}["{"<br/>".join(body)}"]')
        if any(i.state == LOST for i in node.items):
            lines.append(f"    class n{n} lost")
    for node in root.walk():
        lines += [f"    {ids[id(node)]} --> {ids[id(c)]}" for c in node.children]
    lines.append("    classDef lost stroke:#c00,stroke-width:2px")
    return "\n".join(lines) + "\n"


CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}
.level{border:2px solid #446;border-radius:8px;padding:.5em 1em;margin:.5em 0;background:#f7f8fc}
.level .level{background:#fff}
.children{margin-left:2.5em;border-left:3px dashed #99a;padding-left:1em}
h2{font-size:1.05em;margin:.2em 0}.where{color:#666;font-weight:normal;font-size:.9em}
.daemon{color:#334;font-style:italic;margin:.2em 0}
ul{list-style:none;padding-left:0;margin:.3em 0}li{font-family:monospace;margin:.1em 0}
.arrives::before{content:"\\2714  ";color:#080}.lost{color:#b00}.lost::before{content:"\\2716  "}
.unknown{color:#a60}.unknown::before{content:"?  "}.note{color:#666}.kind{display:inline-block;width:6em}"""


def _html_node(node: Node) -> str:
    e = html.escape
    items = "".join(
        f'<li class="{e(i.state)}"><span class="kind">{e(i.kind)}</span>'
        f'{"" if i.state == ARRIVES else e(i.state.upper()) + ": "}{e(i.text)}'
        f'{" <span class=note>(" + e(i.note) + ")</span>" if i.note else ""}</li>' for i in node.items)
    where = f' <span class="where">{e(" or ".join(node.places))}</span>' if node.places else ""
    children = "".join(_html_node(c) for c in node.children)
    return (f'<section class="level {e(node.kind)}"><h2>{e(KIND_TITLE[node.kind])}: {e(node.title)}{where}</h2>'
            f'<p class="daemon">daemon: {e(node.daemon)}</p><ul>{items}</ul>'
            + (f'<div class="children">{children}</div>' if children else "") + "</section>")


def html_page(root: Node, title: str) -> str:
    """A standalone page: inline CSS, no script, no external asset."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>{_html_node(root)}"
            "<p class=note>Drawn by dind-doctor map from the project's files (static: what the files say, not "
            "what a run saw; `dind-doctor levels` observes it).</p></body></html>\n")
