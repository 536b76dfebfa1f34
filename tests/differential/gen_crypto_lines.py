#!/usr/bin/env python3
"""gen_crypto_lines.py - write tests/differential/crypto.txt and jwt.txt.

The lines embed fixtures from tests/data/crypto (certificates, keys) as Rego
string literals and JWTs signed here with those keys, so every line is a
plain call with literal arguments. Rerun by hand after regenerating the
fixtures, then run gen_expect.sh crypto jwt to record OPA's answers."""
import base64, hashlib, hmac, json, os
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, ec, utils

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data", "crypto")


def rd(n):
    with open(os.path.join(data, n)) as f:
        return f.read()


def q(s):  # Rego string literal
    return json.dumps(s)


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def seg(o):
    if isinstance(o, str):
        return b64u(o.encode())
    return b64u(json.dumps(o, separators=(",", ":")).encode())


root_key = serialization.load_pem_private_key(rd("root.key").encode(), None)
leaf_key = serialization.load_pem_private_key(rd("leaf.key").encode(), None)
ed_key = serialization.load_pem_private_key(rd("ed25519.key").encode(), None)
H = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}


def sign(alg, header, payload, secret=b"secret-secret-secret-secret-1234", raw_header=None):
    si = ((raw_header or seg(header)) + "." + seg(payload)).encode()
    if alg.startswith("HS"):
        sig = hmac.new(secret, si, getattr(hashlib, "sha" + alg[2:])).digest()
    elif alg.startswith("RS"):
        sig = root_key.sign(si, padding.PKCS1v15(), H[alg[2:]])
    elif alg.startswith("PS"):
        h = H[alg[2:]]
        sig = root_key.sign(si, padding.PSS(padding.MGF1(h), h.digest_size), h)
    elif alg == "ES256":
        r, s = utils.decode_dss_signature(leaf_key.sign(si, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif alg == "EdDSA":
        sig = ed_key.sign(si)
    else:
        sig = b""
    return si.decode() + "." + b64u(sig)


certs = {n: rd(n + ".pem") for n in ["root", "inter", "leaf", "client", "expired", "ed25519", "p384"]}
lines = []
add = lines.append
for s in ['""', '"abc"', '"hello, world \\u00e9"', '"\\u0000"']:
    for f in ["md5", "sha1", "sha256"]:
        add(f"crypto.{f}({s})")
for f in ["md5", "sha1", "sha256", "sha512"]:
    add(f'crypto.hmac.{f}("message", "key")')
    add(f'crypto.hmac.{f}("", "")')
    add(f'crypto.hmac.{f}("message", "{"k" * 200}")')
add('crypto.hmac.equal("abc", "abc")')
add('crypto.hmac.equal("abc", "abd")')
add('crypto.hmac.equal("abc", "ab")')
add('crypto.hmac.equal("", "")')
add("crypto.sha256(1)")
add('crypto.hmac.sha256("x", 1)')
for n, pem in certs.items():
    add(f"crypto.x509.parse_certificates({q(pem)})")
add(f"crypto.x509.parse_certificates({q(certs['leaf'] + certs['inter'] + certs['root'])})")
add(f"crypto.x509.parse_certificates({q(base64.b64encode(certs['leaf'].encode()).decode())})")
der = base64.b64encode(b"".join(base64.b64decode("".join(certs[n].splitlines()[1:-1])) for n in ["leaf", "inter"]))
add(f"crypto.x509.parse_certificates({q(der.decode())})")
for bad in ['""', '"junk"', '"-----BEGIN X-----\\nAAAA\\n-----END X-----\\n"', '"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n"', '"MIIB"', '"@@@"']:
    add(f"crypto.x509.parse_certificates({bad})")
chain = certs["root"] + certs["inter"] + certs["leaf"]
add(f"crypto.x509.parse_and_verify_certificates({q(chain)})")
add(f"crypto.x509.parse_and_verify_certificates({q(certs['leaf'] + certs['inter'] + certs['root'])})")
add(f"crypto.x509.parse_and_verify_certificates({q(certs['root'] + certs['leaf'])})")
add(f"crypto.x509.parse_and_verify_certificates({q(certs['root'] + certs['inter'] + certs['client'])})")
add(f"crypto.x509.parse_and_verify_certificates({q(certs['root'] + certs['inter'] + certs['expired'])})")
add(f"crypto.x509.parse_and_verify_certificates({q(certs['inter'] + certs['leaf'])})")
add(f"crypto.x509.parse_and_verify_certificates({q(certs['leaf'])})")
add('crypto.x509.parse_and_verify_certificates("junk")')
for k in ["root.key", "root_pkcs1.key", "leaf.key", "ed25519.key"]:
    add(f"crypto.parse_private_keys({q(rd(k))})")
    add(f"crypto.x509.parse_rsa_private_key({q(rd(k))})")
add(f"crypto.parse_private_keys({q(rd('root.key') + rd('leaf.key'))})")
add(f"crypto.parse_private_keys({q(base64.b64encode(rd('leaf.key').encode()).decode())})")
add('crypto.parse_private_keys("")')
add('crypto.parse_private_keys("junk")')
add('crypto.x509.parse_rsa_private_key("")')
add('crypto.x509.parse_rsa_private_key("junk")')
add('crypto.x509.parse_rsa_private_key("!!")')
add(f"crypto.x509.parse_keypair({q(certs['root'])}, {q(rd('root.key'))})")
add(f"crypto.x509.parse_keypair({q(certs['leaf'])}, {q(rd('leaf.key'))})")
add(f"crypto.x509.parse_keypair({q(certs['leaf'])}, {q(rd('root.key'))})")
add(f"crypto.x509.parse_keypair({q(certs['root'])}, {q(rd('root_pkcs1.key'))})")
add(f"crypto.x509.parse_keypair({q(certs['root'])}, {q(certs['root'])})")
add(f"crypto.x509.parse_keypair({q(rd('root.key'))}, {q(rd('root.key'))})")
add(f"crypto.x509.parse_certificate_request({q(rd('csr.pem'))})")
for blk in rd("uri_certs.pem").split("-----END CERTIFICATE-----\n")[:-1]:
    add(f"crypto.x509.parse_certificates({q(blk + '-----END CERTIFICATE-----' + chr(10))})")
add(f"crypto.x509.parse_certificate_request({q(base64.b64encode(rd('csr.pem').encode()).decode())})")
add(f"crypto.x509.parse_certificate_request({q(certs['root'])})")
with open(os.path.join(here, "crypto.txt"), "w") as f:
    f.write("# crypto family: generated by gen_crypto_lines.py from tests/data/crypto\n")
    f.write("\n".join(lines) + "\n")

# ---- jwt ----------------------------------------------------------------------
root_pub, leaf_pub, ed_pub = rd("root_pub.pem"), rd("leaf_pub.pem"), rd("ed25519_pub.pem")
rsa_n = root_key.public_key().public_numbers()
jwk_rsa = {"kty": "RSA", "n": b64u(rsa_n.n.to_bytes(256, "big")), "e": "AQAB"}
lines = []
add = lines.append
claims = {"iss": "https://issuer.example", "sub": "alice", "aud": "gatehouse", "iat": 1600000000,
          "nbf": 1600000000, "exp": 1900000000}
toks = {a: sign(a, {"alg": a, "typ": "JWT", "kid": "k1"}, claims)
        for a in ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "ES256", "EdDSA"]}
sec = "secret-secret-secret-secret-1234"
for a, t in toks.items():
    add(f"io.jwt.decode({q(t)})")
for a in ["RS256", "RS384", "RS512"]:
    add(f"io.jwt.verify_{a.lower()}({q(toks[a])}, {q(root_pub)})")
    add(f"io.jwt.verify_{a.lower()}({q(toks[a])}, {q(certs['root'])})")
    add(f"io.jwt.verify_{a.lower()}({q(toks[a])}, {q(json.dumps(jwk_rsa))})")
    add(f"io.jwt.verify_{a.lower()}({q(toks[a])}, {q(leaf_pub)})")
add(f"io.jwt.verify_ps256({q(toks['PS256'])}, {q(root_pub)})")
add(f"io.jwt.verify_rs256({q(toks['PS256'])}, {q(root_pub)})")
add(f"io.jwt.verify_es256({q(toks['ES256'])}, {q(leaf_pub)})")
add(f"io.jwt.verify_es256({q(toks['ES256'])}, {q(certs['leaf'])})")
add(f"io.jwt.verify_es256({q(toks['ES256'])}, {q(root_pub)})")
add(f"io.jwt.verify_es384({q(toks['ES256'])}, {q(leaf_pub)})")
for a in ["HS256", "HS384", "HS512"]:
    add(f"io.jwt.verify_{a.lower()}({q(toks[a])}, {q(sec)})")
    add(f"io.jwt.verify_{a.lower()}({q(toks[a])}, \"wrong\")")
add(f"io.jwt.verify_hs256({q(toks['RS256'])}, {q(sec)})")
T = 1700000000000000000
for a, key in [("HS256", f'"secret": {q(sec)}'), ("RS256", f'"cert": {q(root_pub)}'),
               ("ES256", f'"cert": {q(leaf_pub)}'), ("PS256", f'"cert": {q(certs["root"])}')]:
    t = toks[a]
    add(f"io.jwt.decode_verify({q(t)}, {{{key}, \"time\": {T}}})")
    add(f"io.jwt.decode_verify({q(t)}, {{{key}, \"time\": {T}, \"aud\": \"gatehouse\"}})")
    add(f"io.jwt.decode_verify({q(t)}, {{{key}, \"time\": {T}, \"aud\": \"gatehouse\", \"iss\": \"https://issuer.example\"}})")
add(f"io.jwt.decode_verify({q(toks['HS256'])}, {{\"secret\": {q(sec)}, \"time\": 1900000000000000000, \"aud\": \"gatehouse\"}})")
add(f"io.jwt.decode_verify({q(toks['HS256'])}, {{\"secret\": {q(sec)}, \"time\": 1899999999000000000, \"aud\": \"gatehouse\"}})")
add(f"io.jwt.decode_verify({q(toks['HS256'])}, {{\"secret\": {q(sec)}, \"time\": 1600000000000000000, \"aud\": \"gatehouse\"}})")
add(f"io.jwt.decode_verify({q(toks['HS256'])}, {{\"secret\": {q(sec)}, \"time\": 1599999999000000000, \"aud\": \"gatehouse\"}})")
add(f"io.jwt.decode_verify({q(toks['HS256'])}, {{\"secret\": {q(sec)}, \"time\": {T}, \"aud\": \"other\"}})")
add(f"io.jwt.decode_verify({q(toks['HS256'])}, {{\"secret\": {q(sec)}, \"time\": {T}, \"aud\": \"gatehouse\", \"iss\": \"other\"}})")
add(f"io.jwt.decode_verify({q(toks['HS256'])}, {{\"secret\": {q(sec)}, \"time\": {T}, \"aud\": \"gatehouse\", \"alg\": \"HS384\"}})")
add(f"io.jwt.decode_verify({q(toks['HS256'])}, {{\"secret\": \"wrong\", \"time\": {T}, \"aud\": \"gatehouse\"}})")
add(f"io.jwt.decode_verify({q(toks['RS256'])}, {{\"secret\": {q(sec)}, \"time\": {T}, \"aud\": \"gatehouse\"}})")
aud_list = sign("HS256", {"alg": "HS256"}, {"aud": ["a", "gatehouse"], "exp": 1900000000.5})
add(f"io.jwt.decode_verify({q(aud_list)}, {{\"secret\": {q(sec)}, \"time\": {T}, \"aud\": \"gatehouse\"}})")
add(f"io.jwt.decode_verify({q(aud_list)}, {{\"secret\": {q(sec)}, \"time\": {T}, \"aud\": \"b\"}})")
bad_exp = sign("HS256", {"alg": "HS256"}, {"exp": "soon"})
add(f"io.jwt.decode_verify({q(bad_exp)}, {{\"secret\": {q(sec)}, \"time\": {T}}})")
bad_nbf = sign("HS256", {"alg": "HS256"}, {"nbf": True})
add(f"io.jwt.decode_verify({q(bad_nbf)}, {{\"secret\": {q(sec)}, \"time\": {T}}})")
crit = sign("HS256", {"alg": "HS256", "crit": ["foo"], "foo": 1}, {"a": 1})
add(f"io.jwt.decode_verify({q(crit)}, {{\"secret\": {q(sec)}, \"time\": {T}}})")
crit2 = sign("HS256", {"alg": "HS256", "crit": []}, {"a": 1})
add(f"io.jwt.decode_verify({q(crit2)}, {{\"secret\": {q(sec)}, \"time\": {T}}})")
kid_num = sign("HS256", {"alg": "HS256", "kid": 7}, {"a": 1})
add(f"io.jwt.decode_verify({q(kid_num)}, {{\"secret\": {q(sec)}, \"time\": {T}}})")
inner = sign("HS256", {"alg": "HS256"}, {"inner": True})
nested = sign("HS256", {"alg": "HS256", "cty": "JWT"}, inner)
add(f"io.jwt.decode({q(nested)})")
add(f"io.jwt.decode_verify({q(nested)}, {{\"secret\": {q(sec)}, \"time\": {T}}})")
for c in ['{"secret": 1}', '{"cert": 1}', '{"time": "x", "secret": "s"}', '{"time": -1, "secret": "s"}',
          '{"bogus": 1, "secret": "s"}', '{}', '{"secret": "s", "cert": "{}"}', '{"cert": "{}"}',
          '{"cert": "junk"}', '{"iss": 1, "secret": "s"}']:
    add(f"io.jwt.decode_verify({q(toks['HS256'])}, {c})")
add('io.jwt.decode_verify(1, {"secret": "s"})')
add('io.jwt.decode_verify("a.b.c", 1)')
for t in ['"abc"', '"a.b"', '"a.b.c.d"', '"a.b.c"', '"eyJhbGciOiJIUzI1NiJ9.b.c"', '"eyJhbGciOiJIUzI1NiJ9.e30.c"',
          '"eyJhbGciOiJIUzI1NiJ9.e30."', '".."', '"eyJhbGciOiJIUzI1NiJ9.WzFd."', '"eyJ9.WzFd."', '"W10.WzFd."',
          '"eyJlbmMiOjF9.WzFd."', '"eyJhbGciOiJIUzI1NiJ9==.e30.c2ln"', '"eyJhbGciOiJIUzI1NiJ9.e30.c2ln?"',
          '"eyJhbGciOiJIUzI1NiJ9.e30.AB"', '1']:
    add(f"io.jwt.decode({t})")
add('io.jwt.verify_rs256("a.b.c", "{}")')
add('io.jwt.verify_rs256("abc", "x")')
add(f'io.jwt.verify_rs256({q(toks["RS256"])}, "foo")')
add(f'io.jwt.verify_rs256({q(toks["RS256"])}, "[]")')
add(f'io.jwt.verify_rs256({q(toks["RS256"])}, "{{\\"kty\\":\\"RSA\\"}}")')
add(f'io.jwt.verify_rs256({q(toks["RS256"])}, "{{\\"kty\\":\\"EC\\",\\"crv\\":\\"P-256\\"}}")')
add(f'io.jwt.verify_rs256({q(toks["RS256"])}, {q(root_pub + "junk")})')
add(f'io.jwt.verify_rs256({q(toks["RS256"])}, {q(rd("root.key"))})')
add('io.jwt.verify_hs256("a.b.!!", "s")')
add('io.jwt.verify_hs256("a.b.", "s")')
jwk_oct = json.dumps({"kty": "oct", "k": b64u(sec.encode())})
add(f'io.jwt.encode_sign_raw("{{\\"alg\\":\\"HS256\\"}}", "{{}}", {q(jwk_oct)})')
add(f'io.jwt.encode_sign_raw("{{\\"alg\\":\\"HS256\\",\\"typ\\":\\"X\\"}}", "notjson", {q(jwk_oct)})')
add(f'io.jwt.encode_sign_raw("{{\\"alg\\":\\"HS256\\"}}", "notjson", {q(jwk_oct)})')
add(f'io.jwt.encode_sign_raw("{{\\"alg\\":\\"none\\"}}", "{{}}", {q(jwk_oct)})')
add(f'io.jwt.encode_sign_raw("{{\\"alg\\":\\"RS256\\"}}", "{{\\"a\\":1}}", {q(json.dumps(dict(jwk_rsa, d=b64u(root_key.private_numbers().d.to_bytes(256, "big")))))})')
add(f'io.jwt.encode_sign({{"alg": "HS256", "typ": "JWT"}}, {{"a": "<&>", "b": [1, 2]}}, {jwk_oct})')
add(f'io.jwt.encode_sign({{"alg": "HS256"}}, {{}}, {{"keys": []}})')
with open(os.path.join(here, "jwt.txt"), "w") as f:
    f.write("# io.jwt family: generated by gen_crypto_lines.py from tests/data/crypto\n")
    f.write("\n".join(lines) + "\n")
print(len(open(os.path.join(here, "crypto.txt")).read().splitlines()), "crypto lines,", len(lines), "jwt lines")
