"""A real X.509 certificate and XML signatures for the CAP signature tests (cryptography + signxml)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.signer import XMLSigner


@dataclass(frozen=True)
class SigningIdentity:
    key_pem: bytes
    cert_pem: bytes


def make_identity(common_name: str = "canhbao.nchmf.gov.vn",
                  valid_days: tuple[int, int] = (-1, 365)) -> SigningIdentity:
    """A fresh RSA-2048 key and a self-signed certificate valid from yesterday for a year (or
    between the two day offsets from now given in ``valid_days``)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + timedelta(days=valid_days[0]))
            .not_valid_after(now + timedelta(days=valid_days[1]))
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return SigningIdentity(key_pem=key_pem, cert_pem=cert.public_bytes(serialization.Encoding.PEM))


def sign(document: bytes, identity: SigningIdentity) -> bytes:
    """The CAP message with an enveloped XML signature as the last child of <alert> (CAP 1.2, 3.3.2.1)."""
    root = etree.fromstring(document)
    signed = XMLSigner().sign(root, key=identity.key_pem, cert=identity.cert_pem.decode())
    return bytes(etree.tostring(signed, encoding="utf-8", xml_declaration=True))
