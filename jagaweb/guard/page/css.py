"""Just enough CSS to tell whether an element is hidden from people: inline styles, simple rules in the
page's own <style> blocks, and colours compared with the background where both are known.

Everything works on a squeezed form of the declarations (lower case, no whitespace), so "Display : None"
and "display:none" are one thing.
"""

from __future__ import annotations

import re

# One alternative per way of hiding; the name is the reason shown to the operator. Declarations start
# after ';' or '{' (a squeezed inline style gets a ';' in front).
_HIDING = re.compile(
    r"[;{](?:"
    r"(?P<display>display:none)"
    r"|(?P<visibility>visibility:(?:hidden|collapse))"
    r"|(?P<opacity>opacity:0?\.?0+(?:%)?(?=[;}!]|$))"
    r"|(?P<offscreen>(?:left|top|right|bottom|text-indent|margin-left|margin-top):-(?:[5-9]\d{2}|[1-9]\d{3,})(?:\.\d+)?(?:px|pt)?)"
    r"|(?P<transparent>color:transparent)"
    r"|(?P<clip>clip:rect\(0(?:px)?,?0(?:px)?,?0(?:px)?,?0(?:px)?\)|clip-path:inset\(50%\)|transform:scale\(0\))"
    r")"
)
_FONT_SIZE = re.compile(r"[;{]font-size:(\d*\.?\d+)(px|pt|em|rem|%)?")
_SIZE = re.compile(r"[;{](?:max-)?(?:width|height):(\d*\.?\d+)(px|pt|em|rem|%)?(?=[;}!]|$)")
_COLOUR = re.compile(r"[;{]color:([^;}!]+)")
_BACKGROUND = re.compile(r"[;{]background(?:-color)?:([^;}!]+)")
# Where to look in a page's CSS: literal searches (fast) for the declarations _HIDING knows.
_KEYS = ("display:none", "visibility:hidden", "visibility:collapse", "opacity:", "color:transparent", "clip:rect(0",
         "clip-path:inset(50%)", "transform:scale(0)")
_OFFSCREEN = re.compile(r":-(?:[5-9]\d{2}|[1-9]\d{3,})")
_HEX = re.compile(r"#([0-9a-f]{3,8})\b")
_RGB = re.compile(r"rgba?\((\d{1,3})%?,(\d{1,3})%?,(\d{1,3})%?(?:,([\d.]+))?\)")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_SIMPLE_SELECTOR = re.compile(r"^[a-z0-9_\-.#\s>+~*\[\]=\"']+$")
_NAMED = {
    "white": "#ffffff", "black": "#000000", "red": "#ff0000", "green": "#008000", "blue": "#0000ff",
    "yellow": "#ffff00", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0", "navy": "#000080",
    "maroon": "#800000", "lime": "#00ff00", "aqua": "#00ffff", "fuchsia": "#ff00ff", "purple": "#800080",
    "orange": "#ffa500", "whitesmoke": "#f5f5f5", "snow": "#fffafa", "ivory": "#fffff0", "teal": "#008080",
}
MAX_CSS_CHARS = 400_000  # page-level <style> text looked at for hiding rules
MAX_SELECTORS = 64


def squeeze(declarations: str) -> str:
    """Lower case, no whitespace, and a leading ';' so that the first declaration starts like the others."""
    return ";" + "".join(declarations.lower().split())


def hiding(style: str) -> str | None:
    """How a squeezed style hides its element ("display", "offscreen", "font-size", "zero-size", ...), if it does."""
    match = _HIDING.search(style)
    if match:
        return match.lastgroup
    if "font-size:" in style:
        size = _FONT_SIZE.search(style)
        if size and _tiny(float(size.group(1)), size.group(2) or "px"):
            return "font-size"
    if "overflow:hidden" in style:
        for value, unit in _SIZE.findall(style):
            if _tiny(float(value), unit or "px"):
                return "zero-size"
    return None


def _tiny(value: float, unit: str) -> bool:
    if unit in ("px", "pt"):
        return value <= 1
    if unit in ("em", "rem"):
        return value <= 0.1
    return value <= 1  # percent


def colour(value: str) -> str | None:
    """A CSS colour as #rrggbb; None when it is not one this module understands (gradients, variables)."""
    value = value.strip()
    hex_match = _HEX.search(value)
    if hex_match:
        digits = hex_match.group(1)
        if len(digits) in (3, 4):
            return "#" + "".join(ch * 2 for ch in digits[:3])
        if len(digits) in (6, 8):
            return "#" + digits[:6]
        return None
    rgb = _RGB.search(value)
    if rgb:
        if rgb.group(4) is not None and float(rgb.group(4) or 1) == 0:
            return "transparent"
        return "#" + "".join(f"{min(int(part), 255):02x}" for part in rgb.groups()[:3])
    first = value.split(" ", 1)[0]
    if first == "transparent":
        return "transparent"
    return _NAMED.get(first)


def text_colour(style: str) -> str | None:
    match = _COLOUR.search(style)
    return colour(match.group(1)) if match else None


def background_colour(style: str) -> str | None:
    match = _BACKGROUND.search(style)
    if not match:
        return None
    found = colour(match.group(1))
    return None if found == "transparent" else found


def _candidates(css: str) -> list[int]:
    positions = []
    for key in _KEYS:
        at = css.find(key)
        while at >= 0:
            positions.append(at)
            at = css.find(key, at + 1)
    for match in _OFFSCREEN.finditer(css):
        colon = match.start()
        positions.append(max(css.rfind(";", 0, colon), css.rfind("{", 0, colon)) + 1)
    return sorted(set(positions))


def hiding_rules(css: str) -> list[tuple[str, str]]:
    """(selector, how) for top-level rules in page CSS that hide what they select.

    Rules inside @media are left out: hiding something on small screens is responsive design, not cloaking.
    Selectors with pseudo-classes are left out too (":hover" menus)."""
    css = squeeze(_COMMENT.sub("", css[:MAX_CSS_CHARS]))
    rules: list[tuple[str, str]] = []
    for position in _candidates(css):
        match = _HIDING.match(css, position - 1)
        if not match:
            continue
        brace = css.rfind("{", 0, position)
        if brace < 0 or css.rfind("}", 0, position) > brace:
            continue
        if css.count("{", 0, brace) != css.count("}", 0, brace):
            continue  # inside @media or another block
        selector_start = max(css.rfind("}", 0, brace), css.rfind(";", 0, brace)) + 1
        how = match.lastgroup or "style-class"
        for selector in css[selector_start:brace].split(","):
            if selector and _SIMPLE_SELECTOR.match(selector) and selector not in ("html", "body", "*"):
                rules.append((selector, how))
        if len(rules) >= MAX_SELECTORS:
            break
    return rules[:MAX_SELECTORS]


def page_background(body_style: str, bgcolor: str, css: str) -> str:
    """The page's background colour where it is declared in the page itself; white (the browser's) otherwise."""
    found = background_colour(squeeze(body_style)) if body_style else None
    if found is None and bgcolor:
        found = colour(bgcolor.lower())
    if found is None and "body" in css:
        squeezed = squeeze(_COMMENT.sub("", css[:MAX_CSS_CHARS]))
        for match in re.finditer(r"[};,](?:html,)?body(?:,html)?\{([^}]*)\}", squeezed):
            found = background_colour("{" + match.group(1)) or found
    return found or "#ffffff"
