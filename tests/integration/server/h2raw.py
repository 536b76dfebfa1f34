"""h2raw.py - a bare HTTP/2 client over TLS (ALPN h2) for the transport
tests, using only the Python standard library: frames are built by hand
and HPACK fields are sent as literals without indexing, so the test controls
exactly what goes on the wire (an unfinished request, a slow body).

  h2raw.py slow HOST PORT CAFILE SECONDS
      Opens a stream (HEADERS without END_STREAM, one DATA byte) and waits
      up to SECONDS for the server to end the connection; prints
      "closed AFTER" (seconds) or "open".
  h2raw.py idle HOST PORT CAFILE SECONDS
      Opens a connection, sends nothing more and prints "goaway CODE AFTER"
      when the server's GOAWAY arrives within SECONDS (else "none").
  h2raw.py goaway HOST PORT CAFILE PIDFILE
      Completes one request, then sends SIGTERM to the PID in PIDFILE and
      prints "goaway CODE" when a GOAWAY frame arrives (else "none").
"""
import os, signal, socket, ssl, struct, sys, time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(t, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([t, flags]) + struct.pack(">I", sid) + payload


def lit(name, value):
    n, v = name.encode(), value.encode()
    return b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v


def connect(host, port, cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.set_alpn_protocols(["h2"])
    s = ctx.wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)
    if s.selected_alpn_protocol() != "h2":
        print("alpn", s.selected_alpn_protocol())
        sys.exit(1)
    s.sendall(PREFACE + frame(4, 0, 0))
    return s


def read_frames(s, until):
    """Yield (type, flags, sid, payload) until the deadline; None on EOF."""
    buf = b""
    while time.time() < until:
        s.settimeout(max(0.01, until - time.time()))
        try:
            d = s.recv(65536)
        except socket.timeout:
            return
        except (ConnectionError, ssl.SSLError):
            yield None
            return
        if not d:
            yield None
            return
        buf += d
        while len(buf) >= 9:
            ln = int.from_bytes(buf[:3], "big")
            if len(buf) < 9 + ln:
                break
            t, fl = buf[3], buf[4]
            sid = int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
            yield (t, fl, sid, buf[9:9 + ln])
            buf = buf[9 + ln:]


def request_fields(method, path, authority):
    return (lit(":method", method) + lit(":scheme", "https") + lit(":authority", authority)
            + lit(":path", path))


def slow(host, port, cafile, seconds):
    s = connect(host, port, cafile)
    hdr = request_fields("POST", "/v1/data/authz/allow", host) + lit("content-length", "20")
    s.sendall(frame(1, 0x4, 1, hdr) + frame(0, 0, 1, b"{"))
    t0 = time.time()
    for f in read_frames(s, t0 + float(seconds)):
        if f is None or f[0] == 7:  # EOF or GOAWAY: the server ended it
            print("closed %.1f" % (time.time() - t0))
            return
    print("open")


def idle(host, port, cafile, seconds):
    s = connect(host, port, cafile)
    t0 = time.time()
    for f in read_frames(s, t0 + float(seconds)):
        if f is None:
            break
        if f[0] == 7:
            print("goaway %d %.1f" % (int.from_bytes(f[3][4:8], "big"), time.time() - t0))
            return
    print("none")


def goaway(host, port, cafile, pidfile):
    s = connect(host, port, cafile)
    s.sendall(frame(1, 0x5, 1, request_fields("GET", "/health", host)))
    got_response = False
    for f in read_frames(s, time.time() + 5):
        if f and f[0] == 1 and f[2] == 1:
            got_response = True
            break
    if not got_response:
        print("no response")
        return
    os.kill(int(open(pidfile).read().strip()), signal.SIGTERM)
    for f in read_frames(s, time.time() + 5):
        if f is None:
            break
        if f[0] == 7:
            print("goaway %d" % int.from_bytes(f[3][4:8], "big"))
            return
    print("none")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "slow":
        slow(*sys.argv[2:6])
    elif cmd == "idle":
        idle(*sys.argv[2:6])
    elif cmd == "goaway":
        goaway(*sys.argv[2:6])
    else:
        sys.exit("usage: h2raw.py slow|idle|goaway ...")
