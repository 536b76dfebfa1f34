#!/usr/bin/env python3
"""jwk.py - JWK fixtures: the private keys of gen.py's outputs as JWKs
(root.jwk RSA, leaf.jwk EC P-256, ed25519.jwk), their public halves
(*.pub.jwk), and fresh P-384/P-521 keys (ec384.jwk, ec521.jwk + .pub.jwk)
for ES384/ES512 round trips. Run after gen.py."""
import base64, json, os
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa, ec, ed25519

here = os.path.dirname(os.path.abspath(__file__))


def b64u(i, size=None):
    if isinstance(i, bytes):
        b = i
    else:
        b = i.to_bytes(size or (i.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def load(n):
    with open(os.path.join(here, n), "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def jwk(k):
    if isinstance(k, rsa.RSAPrivateKey):
        n = k.private_numbers()
        pub = {"kty": "RSA", "n": b64u(n.public_numbers.n), "e": b64u(n.public_numbers.e)}
        priv = dict(pub, d=b64u(n.d), p=b64u(n.p), q=b64u(n.q), dp=b64u(n.dmp1), dq=b64u(n.dmq1),
                    qi=b64u(n.iqmp))
    elif isinstance(k, ec.EllipticCurvePrivateKey):
        sz = (k.curve.key_size + 7) // 8
        n = k.private_numbers()
        crv = {256: "P-256", 384: "P-384", 521: "P-521"}[k.curve.key_size]
        pub = {"kty": "EC", "crv": crv, "x": b64u(n.public_numbers.x, sz), "y": b64u(n.public_numbers.y, sz)}
        priv = dict(pub, d=b64u(n.private_value, sz))
    else:
        raw = k.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                              serialization.NoEncryption())
        x = k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        pub = {"kty": "OKP", "crv": "Ed25519", "x": b64u(x)}
        priv = dict(pub, d=b64u(raw))
    return priv, pub


def write(name, k):
    priv, pub = jwk(k)
    for n, v in ((name + ".jwk", priv), (name + ".pub.jwk", pub)):
        with open(os.path.join(here, n), "w") as f:
            json.dump(v, f)


write("root", load("root.key"))
write("leaf", load("leaf.key"))
write("ed25519", load("ed25519.key"))
write("ec384", ec.generate_private_key(ec.SECP384R1()))
write("ec521", ec.generate_private_key(ec.SECP521R1()))
write("rsa1024", rsa.generate_private_key(65537, 1024))
