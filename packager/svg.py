"""SVG images from partners are hostile until cleaned: no scripts, no event handlers, no outside references.

Every SVG the studio ships or serves (packages, the player and preview, the catalogue thumbnail, the
PDF handout) goes through :func:`sanitize_svg`. It is an allow-list: SVG elements and attributes a
diagram needs are kept, everything else (``<script>``, ``<foreignObject>`` and its XHTML, event
handlers, other namespaces) is removed. References may only point inside the file (``#id``); an
``<image>`` may also carry a raster ``data:`` image. Animations that would change a link or carry a
``javascript:`` value are removed. A DTD is refused (entities are where XML bombs and file reads
live), as are files too large or with too many elements to be a diagram.

Served over HTTP, a sanitised SVG also gets :data:`HEADERS`: a sandboxing CSP and ``nosniff``, so
even a sanitiser miss cannot run in the studio's origin.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .errors import StudioError

if TYPE_CHECKING:
    from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XLINK_HREF = f"{{{XLINK_NS}}}href"

MAX_BYTES = 10 << 20
"""Largest SVG file accepted (10 MB: a diagram with a few embedded raster images)."""
MAX_ELEMENTS = 50_000
"""Most elements in one SVG: far above any diagram, far below what stalls a browser or the sanitiser."""

HEADERS = {
    "Content-Type": "image/svg+xml",
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
}
"""Response headers for a sanitised SVG served on its own (opened directly, it is a document)."""

_ANIMATIONS = {"animate", "animateMotion", "animateTransform", "set"}
_ELEMENTS = {
    "svg", "g", "defs", "symbol", "use", "title", "desc", "switch", "a", "view",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "image",
    "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker", "style",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
    "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA",
    "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge", "feMergeNode",
    "feMorphology", "feOffset", "fePointLight", "feSpecularLighting", "feSpotLight", "feTile",
    "feTurbulence", "mpath", *_ANIMATIONS,
}  # fmt: skip
_ATTRIBUTES = set(
    """
    id class style lang tabindex role focusable aria-label aria-labelledby aria-describedby aria-hidden
    version baseProfile viewBox preserveAspectRatio width height x y x1 y1 x2 y2 cx cy r rx ry fx fy fr
    d points pathLength transform transform-origin transform-box href
    fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-miterlimit
    stroke-dasharray stroke-dashoffset stroke-opacity opacity color display visibility overflow clip
    clip-path clip-rule clipPathUnits mask maskUnits maskContentUnits marker-start marker-mid marker-end
    markerWidth markerHeight markerUnits refX refY orient filter filterUnits primitiveUnits
    font font-family font-size font-size-adjust font-stretch font-style font-variant font-weight
    text-anchor text-decoration text-rendering dominant-baseline alignment-baseline baseline-shift
    letter-spacing word-spacing writing-mode direction unicode-bidi dx dy rotate textLength lengthAdjust
    startOffset method spacing side gradientUnits gradientTransform spreadMethod offset stop-color
    stop-opacity patternUnits patternContentUnits patternTransform shape-rendering image-rendering
    color-interpolation color-interpolation-filters color-rendering flood-color flood-opacity
    lighting-color paint-order vector-effect mix-blend-mode isolation
    in in2 result mode type values tableValues slope intercept amplitude exponent k1 k2 k3 k4 operator
    radius stdDeviation edgeMode kernelMatrix kernelUnitLength order divisor bias targetX targetY
    preserveAlpha surfaceScale diffuseConstant specularConstant specularExponent azimuth elevation
    pointsAtX pointsAtY pointsAtZ limitingConeAngle scale xChannelSelector yChannelSelector
    baseFrequency numOctaves seed stitchTiles media
    attributeName attributeType begin dur end min max restart repeatCount repeatDur calcMode keyTimes
    keySplines keyPoints from to by additive accumulate path
    """.split()  # noqa: SIM905 (a word list reads better than 200 quoted strings)
)
_NAMESPACED = {XLINK_HREF, f"{{{XLINK_NS}}}title", f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"}
_LINK_TARGETS = {"href", "xlink:href", "src"}
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*", re.IGNORECASE)
# what CSS may not contain, once comments and white space are gone: loads from outside, old script hooks
_BAD_CSS = ("@import", "image-set", "image(", "expression(", "javascript:", "behavior", "binding", "\\")
_INVISIBLE = re.compile(r"[\x00-\x20]+")
_CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)


class UnsafeSvg(StudioError):
    """The file cannot be made safe; the message reads after the file's name ("... is not an SVG image")."""


def sanitize_svg(data: bytes) -> bytes:
    """The SVG without scripts, event handlers, foreign content or references outside the file.

    >>> sanitize_svg(b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><script>x()</script>'
    ...              b'<a href="https://evil"><rect width="1" height="1"/></a></svg>')
    b'<svg xmlns="http://www.w3.org/2000/svg"><a><rect width="1" height="1"/></a></svg>'
    """
    from lxml import etree  # here, not at import: a build whose course has no SVG never loads lxml

    root = _parse(data)
    _clean_attributes(root)
    _clean(root)
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=False)


def _parse(data: bytes) -> etree._Element:
    from lxml import etree

    if len(data) > MAX_BYTES:
        raise UnsafeSvg(f"is {len(data) >> 20} MB; SVG images may have at most {MAX_BYTES >> 20} MB")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = f"line {exc.lineno}" if exc.lineno else "at the start"
        reason = exc.msg.split(", line ")[0] if exc.msg else "not XML"
        raise UnsafeSvg(f"is not well-formed XML ({line}: {reason})") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise UnsafeSvg("has a DTD (<!DOCTYPE …>), which is not allowed: delete the DOCTYPE line")
    if root.tag != f"{{{SVG_NS}}}svg":
        tag = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        detail = "" if tag != "svg" else ' in the SVG namespace (add xmlns="http://www.w3.org/2000/svg")'
        raise UnsafeSvg(f"is not an SVG image: the root element is <{tag}>, not <svg>{detail}")
    count = sum(1 for _ in root.iter())
    if count > MAX_ELEMENTS:
        raise UnsafeSvg(f"has {count} elements; SVG images may have at most {MAX_ELEMENTS}")
    return root


def _clean(parent: etree._Element) -> None:
    for element in list(parent):
        if _allowed_element(element):
            _clean_attributes(element)
            _clean(element)
        else:
            _remove(element)


def _clean_attributes(element: etree._Element) -> None:
    for name in list(element.attrib):
        if not _allowed_attribute(element, name, element.attrib[name]):
            del element.attrib[name]


def _allowed_element(element: etree._Element) -> bool:
    if not isinstance(element.tag, str):
        return False  # comments and processing instructions the parser left (entity references)
    from lxml import etree

    qname = etree.QName(element)
    if qname.namespace != SVG_NS or qname.localname not in _ELEMENTS:
        return False
    if qname.localname == "style":
        return _safe_css(element.text or "")
    if qname.localname in _ANIMATIONS:
        target = (element.get("attributeName") or "").strip().lower()
        values = " ".join(element.get(a) or "" for a in ("values", "to", "from", "by"))
        return not (target in _LINK_TARGETS or target.startswith("on") or not _safe_value(values))
    return True


def _allowed_attribute(element: etree._Element, name: str, value: str) -> bool:
    from lxml import etree

    local = etree.QName(name).localname
    if name not in _ATTRIBUTES and name not in _NAMESPACED:
        return False
    if local == "href":
        target = value.strip()
        raster = etree.QName(element).localname in ("image", "feImage") and _RASTER_DATA.fullmatch(target)
        return target.startswith("#") or bool(raster)
    if name == "style":
        return _safe_css(value)
    return _safe_value(value)


def _safe_value(value: str) -> bool:
    """No script URL, and any ``url()`` points inside the file (``url(#gradient)``)."""
    flat = _INVISIBLE.sub("", value).lower()
    return "javascript:" not in flat and "data:" not in flat and flat.count("url(") == flat.count("url(#")


def _safe_css(css: str) -> bool:
    flat = _INVISIBLE.sub("", _CSS_COMMENT.sub("", css)).lower()
    flat = flat.replace("url('#", "url(#").replace('url("#', "url(#")
    return _safe_value(flat) and not any(bad in flat for bad in _BAD_CSS)


def _remove(element: etree._Element) -> None:
    """Remove *element* and what it holds, keeping the text that follows it (lxml keeps it on the element)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
