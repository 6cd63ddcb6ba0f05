"""Validate SCORM manifests offline against the official schemas shipped in ``schemas/``.

The schema files are the byte-for-byte copies SCORM packages carry (see ``schemas/README.md``). lxml cannot
compile ``imscp*.xsd`` on its own: a small wrapper schema imports each namespace from its local file, in an
order that lets the W3C ``xml.xsd`` load first, and a resolver refuses every network fetch.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from lxml import etree

SCHEMAS = Path(str(resources.files("packager.export") / "schemas"))
XML_XSD = str(SCHEMAS / "scorm2004" / "xml.xsd")  # the W3C schema of xml:lang, shared by both

# (namespace, file relative to the schema folder), in import order: xml.xsd first, or imscp's import of
# http://www.w3.org/2001/xml.xsd is attempted over the network and "xml:base does not resolve".
IMPORTS = {
    "scorm12": [
        ("http://www.w3.org/XML/1998/namespace", XML_XSD),
        ("http://www.imsproject.org/xsd/imscp_rootv1p1p2", "imscp_rootv1p1p2.xsd"),
        ("http://www.adlnet.org/xsd/adlcp_rootv1p2", "adlcp_rootv1p2.xsd"),
        ("http://www.imsglobal.org/xsd/imsmd_rootv1p2p1", "imsmd_rootv1p2p1.xsd"),
    ],
    "scorm2004": [
        ("http://www.w3.org/XML/1998/namespace", XML_XSD),
        ("http://www.imsglobal.org/xsd/imscp_v1p1", "imscp_v1p1.xsd"),
        ("http://www.adlnet.org/xsd/adlcp_v1p3", "adlcp_v1p3.xsd"),
        ("http://www.adlnet.org/xsd/adlseq_v1p3", "adlseq_v1p3.xsd"),
        ("http://www.adlnet.org/xsd/adlnav_v1p3", "adlnav_v1p3.xsd"),
        ("http://www.imsglobal.org/xsd/imsss", "imsss_v1p0.xsd"),
        ("http://ltsc.ieee.org/xsd/LOM", "lom.xsd"),
    ],
}


class _LocalOnly(etree.Resolver):
    """Serves schema files from the local folder; patches one 2001 file libxml2 cannot compile."""

    def resolve(self, url: str, pubid: str | None, context: object) -> object:
        if url.startswith(("http://", "https://", "ftp://")):
            if url.rsplit("/", 1)[-1] == "xml.xsd":
                return self.resolve_filename(XML_XSD, context)
            raise OSError(f"schema fetch refused (offline validation): {url}")
        path = Path(url.removeprefix("file://")).resolve()
        if path.name == "imsmd_rootv1p2p1.xsd":
            # "content model is not determinist": an xsd:any ##any after same-namespace optional elements.
            # ##other keeps the schema's intent and lets libxml2 compile it; the file itself is unchanged.
            text = path.read_bytes().replace(b'namespace="##any"', b'namespace="##other"')
            return self.resolve_string(text, context, base_url=str(path))
        return None


@lru_cache(maxsize=2)
def schema(kind: str) -> etree.XMLSchema:
    """The compiled wrapper schema for ``scorm12`` or ``scorm2004``."""
    base = (SCHEMAS / kind).resolve()
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(base / loc).resolve().as_uri()}"/>' for ns, loc in IMPORTS[kind]
    )
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalOnly())
    doc = etree.fromstring(wrapper.encode(), parser, base_url=(base / "wrapper.xsd").as_uri())
    return etree.XMLSchema(doc)


def validate(manifest: bytes, kind: str) -> list[str]:
    """Schema errors of *manifest* (``imsmanifest.xml`` bytes) as ``line N: message``; empty when valid."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    doc = etree.fromstring(manifest, parser)
    checker = schema(kind)
    if checker.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]  # type: ignore[attr-defined]
