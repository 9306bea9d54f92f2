"""The studio's C2PA signing identity: the operator's certificate chain and key
(STUDIO_C2PA_CERT / STUDIO_C2PA_KEY), or a CA and leaf the studio makes once and keeps in
STUDIO_DATA_DIR/c2pa/. The key is read here and handed to c2pa only; it is never logged or served."""

from __future__ import annotations

import datetime
import fcntl
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

CA_YEARS, LEAF_YEARS = 10, 5
_lock = threading.Lock()


class IdentityError(Exception):
    """The operator's certificate or key cannot be used (a message without the key's bytes)."""


@dataclass(frozen=True)
class Identity:
    cert_chain_pem: bytes  # leaf first, then its issuers (c2pa wants the chain, not the root alone)
    key_pem: bytes = b""
    tsa_url: str = ""
    self_made: bool = False

    def __repr__(self) -> str:  # a stray log of the identity shows no key
        return f"Identity(self_made={self.self_made}, tsa_url={self.tsa_url!r})"


def folder() -> Path:
    return Path(settings.DATA_DIR) / "c2pa"


def load() -> Identity:
    """The signing identity for this process; the self-made one is created at first use."""
    cert, key = settings.STUDIO_C2PA_CERT, settings.STUDIO_C2PA_KEY
    tsa = settings.STUDIO_C2PA_TSA_URL
    if bool(cert) != bool(key):
        raise IdentityError("Set both STUDIO_C2PA_CERT and STUDIO_C2PA_KEY (PEM files), or neither.")
    if cert:
        try:
            chain, key_pem = Path(cert).read_bytes(), Path(key).read_bytes()
        except OSError as exc:
            raise IdentityError(f"Cannot read the C2PA certificate or key: {exc.strerror} ({exc.filename})") from None
        _check_operator(chain, key_pem)
        return Identity(chain, key_pem, tsa)
    with _lock:  # one process makes the files; another process sees them complete (renamed in place)
        chain, key_pem = _self_made(folder())
    return Identity(chain, key_pem, tsa, self_made=True)


def _check_operator(chain: bytes, key_pem: bytes) -> None:
    try:
        certs = x509.load_pem_x509_certificates(chain)
        key = serialization.load_pem_private_key(key_pem, password=None)
    except ValueError:
        raise IdentityError(
            "STUDIO_C2PA_CERT or STUDIO_C2PA_KEY is not a PEM certificate chain / unencrypted key."
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise IdentityError("STUDIO_C2PA_KEY must be an EC P-256 key (the studio signs with ES256).")
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if certs[0].public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
        raise IdentityError("STUDIO_C2PA_KEY does not belong to the first certificate in STUDIO_C2PA_CERT.")


def _self_made(where: Path) -> tuple[bytes, bytes]:
    chain_file, key_file = where / "chain.pem", where / "signer.key"
    if chain_file.exists() and key_file.exists():
        return chain_file.read_bytes(), key_file.read_bytes()
    where.mkdir(parents=True, exist_ok=True)
    os.chmod(where, 0o700)
    with open(where / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # Celery workers start together: one makes the set, the rest read it
        if chain_file.exists() and key_file.exists():
            return chain_file.read_bytes(), key_file.read_bytes()
        return _make(where, chain_file, key_file)


def _make(where: Path, chain_file: Path, key_file: Path) -> tuple[bytes, bytes]:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    ca = _ca_cert(ca_key)
    leaf = _leaf_cert(leaf_key, ca, ca_key)
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    key_pem = leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    ca_pem = ca_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_private(where / "ca.key", ca_pem)  # kept so an operator may issue more leaves; never used to sign media
    (where / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    _write_private(key_file, key_pem)
    tmp = chain_file.with_suffix(".tmp")
    tmp.write_bytes(chain)
    os.replace(tmp, chain_file)  # last: its presence says the set is complete
    return chain, key_pem


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # 0600 from birth, not chmod after
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Video Studio (self-made)"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        ]
    )


def _ca_cert(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    name = _name("Video Studio local C2PA CA")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )


def _leaf_cert(
    key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(_name("Video Studio content signer"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * LEAF_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
