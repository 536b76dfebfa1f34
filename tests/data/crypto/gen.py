#!/usr/bin/env python3
"""gen.py - regenerate the crypto/JOSE test fixtures in this directory.

Run by hand (python3-cryptography); outputs are committed so tests never
need key generation. Validity is fixed (2020-01-01 .. 2120-01-01) so the
chain verifies at any test time; expired.pem ended in 2021.
uri_certs.pem (27 self-signed certificates, one URI SAN each, exercising
Go's net/url edge cases) was made once the same way and is not rewritten.
Files: root CA (RSA 2048), intermediate CA (EC P-256), leaf (EC P-256:
DNS, IP, email and a SPIFFE URI SAN; serverAuth+clientAuth), client-only
leaf (clientAuth), expired leaf, self-signed Ed25519 and P-384 certs, a CSR
with SANs, and the private keys (PKCS#8, PKCS#1, SEC1, Ed25519)."""
import datetime, ipaddress, os
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa, ec, ed25519

here = os.path.dirname(os.path.abspath(__file__))
T0 = datetime.datetime(2020, 1, 1)
T1 = datetime.datetime(2120, 1, 1)


def write(name, data):
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)


def pem_key(k, fmt=serialization.PrivateFormat.PKCS8):
    return k.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())


def name(cn, **kw):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, kw.get("c", "US")),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, kw.get("o", "Gatehouse Test"))]
    if "ou" in kw:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, kw["ou"]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def cert(subject, pub, issuer, ikey, serial, ca=None, exts=(), t0=T0, t1=T1, algo=hashes.SHA256()):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(pub)
         .serial_number(serial).not_valid_before(t0).not_valid_after(t1))
    if ca is not None:
        b = b.add_extension(x509.BasicConstraints(ca=True, path_length=ca), critical=True)
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                            critical=True)
    for e, crit in exts:
        b = b.add_extension(e, critical=crit)
    b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
    return b.sign(ikey, None if isinstance(ikey, ed25519.Ed25519PrivateKey) else algo)


root_key = rsa.generate_private_key(65537, 2048)
int_key = ec.generate_private_key(ec.SECP256R1())
leaf_key = ec.generate_private_key(ec.SECP256R1())
root = cert(name("Test Root CA", ou="Security"), root_key.public_key(), name("Test Root CA", ou="Security"),
            root_key, 1, ca=1)
inter = cert(name("Test Intermediate CA"), int_key.public_key(), root.subject, root_key, 2, ca=0)
leaf_usage = x509.KeyUsage(True, False, True, False, False, False, False, False, False)
san = x509.SubjectAlternativeName([
    x509.DNSName("web.prod.example.org"), x509.DNSName("*.svc.example.org"),
    x509.RFC822Name("ops@example.org"), x509.IPAddress(ipaddress.ip_address("10.1.2.3")),
    x509.IPAddress(ipaddress.ip_address("2001:db8::7")),
    x509.UniformResourceIdentifier("spiffe://example.org/ns/prod/sa/web")])
leaf = cert(name("web.prod.example.org", c="DE", o="Example Org"), leaf_key.public_key(), inter.subject,
            int_key, 0x0123456789ABCDEF01,
            exts=[(x509.BasicConstraints(ca=False, path_length=None), True), (leaf_usage, True),
                  (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                          ExtendedKeyUsageOID.CLIENT_AUTH]), False), (san, False)])
client_key = ec.generate_private_key(ec.SECP256R1())
client = cert(name("client"), client_key.public_key(), inter.subject, int_key, 77,
              exts=[(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
                    (x509.SubjectAlternativeName([x509.UniformResourceIdentifier(
                        "spiffe://example.org/ns/batch/sa/job")]), False)])
expired = cert(name("expired.example.org"), leaf_key.public_key(), inter.subject, int_key, 78,
               exts=[(x509.SubjectAlternativeName([x509.DNSName("expired.example.org")]), False)],
               t0=datetime.datetime(2020, 1, 1), t1=datetime.datetime(2021, 1, 1))
ed_key = ed25519.Ed25519PrivateKey.generate()
edc = cert(name("ed25519"), ed_key.public_key(), name("ed25519"), ed_key, 5, ca=None)
p384_key = ec.generate_private_key(ec.SECP384R1())
p384 = cert(name("p384"), p384_key.public_key(), name("p384"), p384_key, 6, ca=None, algo=hashes.SHA384())
csr = (x509.CertificateSigningRequestBuilder().subject_name(name("csr.example.org"))
       .add_extension(x509.SubjectAlternativeName([x509.DNSName("csr.example.org"),
                                                   x509.UniformResourceIdentifier("spiffe://example.org/x")]),
                      critical=False)
       .sign(leaf_key, hashes.SHA256()))

P = serialization.Encoding.PEM
write("root.pem", root.public_bytes(P))
write("inter.pem", inter.public_bytes(P))
write("leaf.pem", leaf.public_bytes(P))
write("client.pem", client.public_bytes(P))
write("expired.pem", expired.public_bytes(P))
write("ed25519.pem", edc.public_bytes(P))
write("p384.pem", p384.public_bytes(P))
write("csr.pem", csr.public_bytes(P))
write("root.key", pem_key(root_key))
write("root_pkcs1.key", pem_key(root_key, serialization.PrivateFormat.TraditionalOpenSSL))
write("leaf.key", pem_key(leaf_key, serialization.PrivateFormat.TraditionalOpenSSL))
write("ed25519.key", pem_key(ed_key))
write("root_pub.pem", root_key.public_key().public_bytes(P, serialization.PublicFormat.SubjectPublicKeyInfo))
write("leaf_pub.pem", leaf_key.public_key().public_bytes(P, serialization.PublicFormat.SubjectPublicKeyInfo))
write("ed25519_pub.pem", ed_key.public_key().public_bytes(P, serialization.PublicFormat.SubjectPublicKeyInfo))
