"""XML signatures on CAP messages (CAP 1.2, 3.3.2.1: an enveloped XML-DSig ``<Signature>`` as the
last child of ``<alert>``), verified with signxml against the sender's configured certificate.

The certificate is pinned by configuration (``CapSender.certificate``): a signature by any other key
is refused, whatever certificate the message carries in its ``KeyInfo``. The signature must cover
the whole ``<alert>`` (reference ``URI=""``); what is then acted upon is what signxml returns as
signed, never the bytes around it (the usual defence against signature wrapping).
"""

from __future__ import annotations

from cryptography import x509
from lxml import etree
from signxml.exceptions import SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier

from signage_server.emergency.sources.cap.model import CAP_NAMESPACE, CapRejected

_ALERT_TAG = f"{{{CAP_NAMESPACE}}}alert"
# The Signature must be a child of the root <alert>; one reference, to the whole document.
_EXPECTED = SignatureConfiguration(location="./", expect_references=1)


class CapSignatureRejected(CapRejected):
    """The message is unsigned, or not signed by the sender's certificate, or not over the alert."""


def load_certificate(pem: bytes) -> x509.Certificate:
    """The sender's certificate from PEM; ``ValueError`` when it is not one."""
    return x509.load_pem_x509_certificate(pem)


def verified_alert(xml_bytes: bytes, certificate: x509.Certificate) -> bytes:
    """The signed ``<alert>`` (its signature removed) as bytes, or ``CapSignatureRejected``.

    Call after ``parse_cap`` accepted ``xml_bytes`` (no DTD, no entities, schema-valid); signxml
    parses it again with its own hardened lxml parser.
    """
    if b"http://www.w3.org/2000/09/xmldsig#" not in xml_bytes:
        raise CapSignatureRejected("this sender must sign its messages: no XML signature (<Signature>) found")
    try:
        result = XMLVerifier().verify(xml_bytes, x509_cert=certificate, expect_config=_EXPECTED)
    except (SignXMLException, etree.LxmlError, ValueError) as exc:
        raise CapSignatureRejected(
            f"the XML signature does not verify with the sender's certificate: {exc}") from exc
    if isinstance(result, list):  # only with expect_references > 1
        raise CapSignatureRejected("the XML signature must have exactly one reference")
    signed = result.signed_xml
    if signed is None or signed.tag != _ALERT_TAG or signed.getparent() is not None:
        raise CapSignatureRejected('the XML signature must cover the whole <alert> (Reference URI="")')
    return bytes(etree.tostring(signed, encoding="utf-8", xml_declaration=True))
