"""Markdown to safe HTML: rendered by Python-Markdown, then sanitized by nh3 (an allow-list)."""

from __future__ import annotations

import markdown as md
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "span": {"class"},
    "div": {"class"},
    "th": {"scope", "align"},
    "td": {"align"},
}
EXTENSIONS = ["extra", "sane_lists", "codehilite"]


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags and attributes; links get rel=noopener noreferrer."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> str:
    """Render Markdown text to sanitized HTML (raw HTML in the source is sanitized too)."""
    html = md.markdown(text, extensions=EXTENSIONS, extension_configs={"codehilite": {"use_pygments": False}})
    return sanitize_html(html)


def render_inline_markdown(text: str) -> str:
    """Render short Markdown (an option, a label) without the wrapping paragraph of a one-liner."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
