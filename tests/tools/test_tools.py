#!/usr/bin/python3
"""End-to-end tests of the tern command-line tool.

usage: test_tools.py TERN_EXE CASE

Every case works in a fresh temporary directory, talks only to 127.0.0.1
on free ports, bounds every wait, and kills the servers it started.
OpenSSL (the `openssl` binary and Python's ssl module) is the peer.
"""
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

TERN = os.path.abspath(sys.argv[1])
CASE = sys.argv[2]
WORK = tempfile.mkdtemp(prefix="tern-tools-")
PROCS = []
FAILS = []


def log(*a):
    print(*a, flush=True)


def check(cond, what):
    if cond:
        log("ok:", what)
    else:
        log("FAIL:", what)
        FAILS.append(what)


def path(name):
    return os.path.join(WORK, name)


def tern(*args, stdin=None, timeout=30):
    r = subprocess.run([TERN, *args], input=stdin, capture_output=True, timeout=timeout, cwd=WORK)
    out, err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
    log("$ tern", " ".join(args), "->", r.returncode)
    if out.strip():
        log("  stdout:", out.strip().replace("\n", "\n          "))
    if err.strip():
        log("  stderr:", err.strip().replace("\n", "\n          "))
    return r.returncode, out, err


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, proc, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError("server exited early: %s" % proc.args)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not listen on port %d" % port)


def s_server(cert, key, *extra):
    """openssl s_server -tls1_3 on a free port; waits until it accepts."""
    port = free_port()
    p = subprocess.Popen(["openssl", "s_server", "-tls1_3", "-accept", "127.0.0.1:%d" % port, "-cert", cert,
                          "-key", key, "-quiet", *extra],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=WORK)
    PROCS.append(p)
    # s_server needs a moment; probing with a plain TCP connect costs it one
    # (failed) handshake, which it survives.
    wait_port(port, p)
    return port, p


def tern_server(*args):
    p = subprocess.Popen([TERN, "server", "--bind", "127.0.0.1", "--port", "0", *args],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=WORK)
    PROCS.append(p)
    line = p.stderr.readline().decode()
    if not line.startswith("listening on "):
        raise RuntimeError("tern server did not start: %r" % line)
    port = int(line.strip().rsplit(":", 1)[1])
    return port, p


def make_pki(kind="p256"):
    """A CA and its key in WORK (ca.pem, ca.key)."""
    if not os.path.exists(path("ca.pem")):
        assert tern("keygen", "--type", kind, "--out", path("ca.key"))[0] == 0
        assert tern("cert", "issue", "--key", path("ca.key"), "--cn", "tern test CA", "--days", "3650",
                    "--out", path("ca.pem"))[0] == 0


def leaf(name, kind="p256", extra=(), sans="localhost,127.0.0.1"):
    make_pki()
    key, cert = path(name + ".key"), path(name + ".pem")
    assert tern("keygen", "--type", kind, "--out", key)[0] == 0
    rc = tern("cert", "issue", "--key", key, "--ca", path("ca.pem"), "--ca-key", path("ca.key"),
              "--san", sans, "--eku", "server,client", "--out", cert, *extra)[0]
    assert rc == 0
    return cert, key


# ---- cases --------------------------------------------------------------------------


def case_certs():
    """keygen / cert issue / show / verify round trips."""
    for kind in ("ed25519", "p256", "p384", "rsa2048"):
        d = path(kind)
        os.mkdir(d)
        ca_key, ca, k, c = (os.path.join(d, n) for n in ("ca.key", "ca.pem", "leaf.key", "leaf.pem"))
        check(tern("keygen", "--type", kind, "--out", ca_key)[0] == 0, kind + " keygen")
        check(open(ca_key).read().startswith("-----BEGIN PRIVATE KEY-----"), kind + " key is PEM PKCS#8")
        check(oct(os.stat(ca_key).st_mode & 0o777) == "0o600", kind + " key file is private")
        r = subprocess.run(["openssl", "pkey", "-in", ca_key, "-noout", "-check"], capture_output=True)
        check(r.returncode == 0, kind + " key readable by openssl (and passes its -check)")
        check(tern("cert", "issue", "--key", ca_key, "--cn", "Test CA " + kind, "--out", ca)[0] == 0, kind + " CA")
        check(tern("keygen", "--type", kind, "--out", k)[0] == 0, kind + " leaf keygen")
        check(tern("cert", "issue", "--key", k, "--ca", ca, "--ca-key", ca_key, "--san", "www.example.com,example.com",
                   "--san", "192.0.2.7", "--eku", "server", "--days", "90", "--out", c)[0] == 0, kind + " leaf issue")
        rc, out, _ = tern("cert", "show", c)
        check(rc == 0 and "Subject:    CN=www.example.com" in out and "Issuer:     CN=Test CA " + kind in out,
              kind + " show subject/issuer")
        check("www.example.com, example.com, 192.0.2.7" in out, kind + " show SANs")
        check("CA:FALSE" in out and "serverAuth" in out and "digitalSignature" in out, kind + " show extensions")
        check("days left" in out and "Serial:" in out and "SHA-256:" in out, kind + " show validity/serial")
        rc, out, _ = tern("cert", "show", ca)
        check(rc == 0 and "CA:TRUE" in out and "keyCertSign" in out, kind + " show CA")
        # openssl agrees.
        r = subprocess.run(["openssl", "verify", "-CAfile", ca, "-purpose", "sslserver", c], capture_output=True)
        check(r.returncode == 0, kind + " openssl verify accepts the leaf")
        r = subprocess.run(["openssl", "x509", "-in", c, "-noout", "-ext", "subjectAltName"], capture_output=True, text=True)
        check("DNS:www.example.com" in r.stdout and "IP Address:192.0.2.7" in r.stdout, kind + " openssl sees the SANs")
        # verify
        check(tern("cert", "verify", "--cafile", ca, "--host", "www.example.com", c)[0] == 0, kind + " verify ok")
        check(tern("cert", "verify", "--cafile", ca, "--host", "192.0.2.7", c)[0] == 0, kind + " verify IP ok")
        rc, _, err = tern("cert", "verify", "--cafile", ca, "--host", "evil.example.org", c)
        check(rc == 2 and "certificate 0" in err and ("evil.example.org" in err or "www.example.com" in err),
              kind + " wrong host -> 2 with the names")
        rc, _, err = tern("cert", "verify", "--cafile", ca, "--at", "2099-01-01", c)
        check(rc == 2 and "expired" in err, kind + " verify in the future -> expired")
        rc, _, err = tern("cert", "verify", "--cafile", c, ca)
        check(rc == 2, kind + " wrong anchor -> 2")
    # An expired leaf, a chain file with both certificates, a not-yet-valid one.
    d = path("ed25519")
    ca_key, ca, k = (os.path.join(d, n) for n in ("ca.key", "ca.pem", "leaf.key"))
    old = os.path.join(d, "old.pem")
    check(tern("cert", "issue", "--key", k, "--ca", ca, "--ca-key", ca_key, "--san", "old.example",
               "--not-before", "2020-01-01", "--not-after", "2021-01-01T00:00:00Z", "--out", old)[0] == 0, "expired issue")
    rc, out, _ = tern("cert", "show", old)
    check("EXPIRED" in out and "2021-01-01 00:00:00 UTC" in out, "show marks expired")
    rc, _, err = tern("cert", "verify", "--cafile", ca, "--host", "old.example", old)
    check(rc == 2 and "expired" in err and "2021-01-01" in err and "certificate 0" in err, "expired -> 2 with the date")
    check(tern("cert", "verify", "--cafile", ca, "--at", "@%d" % (time.time() + 30 * 86400),
               os.path.join(d, "leaf.pem"))[0] == 0, "--at inside the validity")
    chain = os.path.join(d, "chain.pem")
    with open(chain, "w") as f:
        f.write(open(os.path.join(d, "leaf.pem")).read() + open(ca).read())
    rc, out, _ = tern("cert", "show", chain)
    check(rc == 0 and "Certificate 1 of 2" in out and "Certificate 2 of 2" in out, "show prints every chain member")
    # Errors.
    # RSA: key sizes, PKCS#1 output, the certificate's algorithms.
    rc, out, _ = tern("cert", "show", os.path.join(path("rsa2048"), "leaf.pem"))
    check("RSA 2048 bits" in out and "sha256WithRSAEncryption" in out, "tern RSA leaf: key and signature shown")
    for bits in ("3072", "4096"):
        kf = path("rsa%s.key" % bits)
        check(tern("keygen", "--type", "rsa" + bits, "--out", kf)[0] == 0, "rsa%s keygen" % bits)
        r = subprocess.run(["openssl", "pkey", "-in", kf, "-noout", "-text"], capture_output=True, text=True)
        check(r.returncode == 0 and ("(%s bit" % bits) in r.stdout and "65537" in r.stdout,
              "rsa%s key: openssl reads %s bits, e=65537" % (bits, bits))
    rc, out, _ = tern("keygen", "--type", "rsa", "--pkcs1")
    check(rc == 0 and out.startswith("-----BEGIN RSA PRIVATE KEY-----"), "--pkcs1 writes RSA PRIVATE KEY")
    r = subprocess.run(["openssl", "rsa", "-check", "-noout"], input=out, capture_output=True, text=True)
    check(r.returncode == 0 and "RSA key ok" in r.stdout, "openssl rsa -check accepts the PKCS#1 key")
    rc, _, err = tern("keygen", "--type", "p256", "--pkcs1")
    check(rc == 64 and "RSA" in err, "--pkcs1 with a non-RSA key -> usage error")
    check(tern("keygen", "--type", "dsa")[0] != 0, "unknown key type")
    rc, _, err = tern("cert", "show", path("nope.pem"))
    check(rc != 0 and "cannot read" in err, "missing file")
    rc, _, err = tern("cert", "issue", "--key", k, "--ca", ca, "--ca-key", os.path.join(path("p256"), "ca.key"))
    check(rc != 0 and "does not belong" in err, "mismatched CA key")
    for cmd in ([], ["keygen"], ["cert"], ["cert", "issue"], ["cert", "show"], ["cert", "verify"], ["cert", "check"],
                ["client"], ["server"], ["speed"]):
        rc, out, _ = tern(*cmd, "--help")
        check(rc == 0 and "usage:" in out, " ".join(cmd + ["--help"]))
    # Errors: one sentence on stderr, nothing on stdout, non-zero exit.
    for cmd in (["client"], ["server"], ["cert", "check"], ["cert", "issue"], ["keygen", "--type", "dsa"],
                ["cert", "bogus"], ["speed", "--seconds", "x"]):
        rc, out, err = tern(*cmd)
        check(rc != 0 and out == "" and err.startswith("tern: "), " ".join(cmd) + ": error on stderr, exit %d" % rc)
    rc, _, err = tern("cert", "verify", "--bogus", "x")
    check(rc == 64 and "unknown option" in err, "unknown option -> usage error")
    # An openssl-made RSA key and EC (SEC1) key load for issuing.
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                    path("rsa.key")], check=True, capture_output=True)
    check(tern("cert", "issue", "--key", path("rsa.key"), "--cn", "RSA CA", "--out", path("rsa-ca.pem"))[0] == 0,
          "RSA key (openssl-made) issues a self-signed CA")
    rc, out, _ = tern("cert", "show", path("rsa-ca.pem"))
    check("RSA 2048 bits" in out and "sha256WithRSAEncryption" in out, "RSA CA shows key and signature")
    check(tern("cert", "verify", "--cafile", path("rsa-ca.pem"), "--purpose", "any", path("rsa-ca.pem"))[0] == 0,
          "RSA CA verifies")


def case_check():
    """tern cert check against openssl s_server: 90 days, 5 days, expired, wrong name, unreachable."""
    make_pki()
    ca = path("ca.pem")
    good = leaf("good", extra=("--days", "90"))
    soon = leaf("soon", extra=("--days", "5"))
    old = leaf("old", extra=("--not-before", "2020-01-01", "--not-after", "2020-06-01"))
    wrong = leaf("wrong", sans="other.example")
    ports = {}
    for name, (c, k) in (("good", good), ("soon", soon), ("old", old), ("wrong", wrong)):
        ports[name] = s_server(c, k)[0]
    t = lambda n: "localhost:%d" % ports[n]
    rc, out, _ = tern("cert", "check", "--cafile", ca, t("good"))
    check(rc == 0 and "OK" in out and "days left" in out, "90 days -> exit 0")
    rc, out, _ = tern("cert", "check", "--cafile", ca, "127.0.0.1:%d" % ports["good"])
    check(rc == 0, "IP target matches the IP SAN -> exit 0")
    os.mkdir(path("anchors"))
    shutil.copy(ca, path("anchors"))
    rc, out, _ = tern("cert", "check", "--capath", path("anchors"), t("good"))
    check(rc == 0 and "OK" in out, "--capath trust directory")
    rc, out, _ = tern("cert", "check", "--cafile", ca, t("soon"))
    check(rc == 1 and "WARN" in out and ("4 days" in out or "5 days" in out), "5 days -> exit 1")
    rc, out, _ = tern("cert", "check", "--cafile", ca, "--warn-days", "3", t("soon"))
    check(rc == 0, "5 days with --warn-days 3 -> exit 0")
    rc, out, _ = tern("cert", "check", "--cafile", ca, t("old"))
    check(rc == 2 and "INVALID" in out and "expired" in out, "expired -> exit 2")
    rc, out, _ = tern("cert", "check", "--cafile", ca, t("wrong"))
    check(rc == 2 and "INVALID" in out and "other.example" in out, "wrong name -> exit 2 naming the certificate's names")
    closed = free_port()
    rc, out, _ = tern("cert", "check", "--cafile", ca, "--timeout", "5", "127.0.0.1:%d" % closed)
    check(rc == 2 and "UNREACHABLE" in out, "unreachable port -> exit 2")
    rc, out, _ = tern("cert", "check", t("good"))
    check(rc == 2 and "unknown issuer" in out, "system store does not trust the test CA -> exit 2")
    with open(path("targets.txt"), "w") as f:
        f.write("# monitored\n%s\n%s  # soon\n\n" % (t("good"), t("soon")))
    rc, out, _ = tern("cert", "check", "--cafile", ca, "--json", "--targets", path("targets.txt"))
    data = json.loads(out)
    check(rc == 1 and [d["status"] for d in data] == ["ok", "warn"] and data[0]["days_left"] >= 89,
          "--targets + --json, worst status wins")
    rc, out, _ = tern("cert", "check", "--cafile", ca, "--json", t("good"), t("old"), "127.0.0.1:%d" % closed)
    data = json.loads(out)
    check(rc == 2 and [d["status"] for d in data] == ["ok", "invalid", "unreachable"] and "error" in data[1],
          "mixed targets -> exit 2, JSON per target")


def relay_until(p, needle, timeout=10):
    """Reads p.stdout until needle shows up (bounded)."""
    import select
    buf = b""
    end = time.time() + timeout
    while needle not in buf and time.time() < end:
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
    return buf


def case_client():
    """tern client against openssl s_server -tls1_3 (Ed25519, P-256, P-384, RSA certificates)."""
    make_pki()
    ca = path("ca.pem")
    for kind in ("ed25519", "p256", "p384", "rsa2048"):
        c, k = leaf("srv-" + kind, kind=kind)
        port, p = s_server(c, k, "-rev", "-alpn", "h2,http/1.1")
        rc, out, err = tern("client", "localhost:%d" % port, "--cafile", ca, "--alpn", "http/1.1", "--wait", "3",
                            stdin=b"hello tern\n")
        check(rc == 0 and "nret olleh" in out, kind + ": data relayed both ways (s_server -rev)")
        check("Protocol:   TLS 1.3" in err and "Suite:      TLS_" in err and "Group:      x25519" in err,
              kind + ": prints version, suite, group")
        scheme = {"ed25519": "ed25519", "p256": "ecdsa_secp256r1_sha256", "p384": "ecdsa_secp384r1_sha384",
                  "rsa2048": "rsa_pss_rsae_sha256"}[kind]
        check("Signature:  " + scheme in err and "ALPN:       http/1.1" in err, kind + ": signature scheme and ALPN")
        check("0 subject: CN=localhost" in err and "days left" in err and "Verified:   OK" in err,
              kind + ": prints the verified chain")
    c, k = leaf("srv-ku")
    port, p = s_server(c, k, "-rev")
    rc, out, err = tern("client", "localhost:%d" % port, "--cafile", ca, "--keyupdate", "--wait", "3", stdin=b"abc\n")
    check(rc == 0 and "cba" in out and "KeyUpdate sent" in err, "--keyupdate, then data still flows")
    rc, out, err = tern("client", "localhost:%d" % port, "--wait", "3", stdin=b"x\n")
    check(rc == 2 and "certificate verification failed" in err and "unknown issuer" in err,
          "untrusted server -> exit 2 with the reason")
    rc, out, err = tern("client", "localhost:%d" % port, "--insecure", "--wait", "3", stdin=b"xyz\n")
    check(rc == 0 and "WARNING" in err and "NOT" in err and "zyx" in out, "--insecure warns loudly and connects")
    rc, out, err = tern("client", "127.0.0.1:%d" % port, "--servername", "nothere.example", "--cafile", ca, stdin=b"")
    check(rc == 2 and "nothere.example" in err, "wrong --servername -> exit 2 naming it")
    rc, out, err = tern("client", "localhost:%d" % port, "--resume", "--cafile", ca, "--wait", "3", stdin=b"again\n")
    check(rc == 0 and "Session ticket:" in err and "Resumed:    yes" in err and "niaga" in out,
          "--resume against s_server: full handshake, ticket, resumed handshake, data")
    rc, _, err = tern("client", "127.0.0.1:%d" % free_port(), "--cafile", ca, stdin=b"")
    check(rc == 1 and "cannot connect" in err, "refused connection -> clear error")


def case_server():
    """tern server against openssl s_client and Python's ssl module."""
    make_pki()
    ca = path("ca.pem")
    for kind in ("ed25519", "p256", "p384", "rsa2048"):
        c, k = leaf("tsrv-" + kind, kind=kind)
        port, p = tern_server("--cert", c, "--key", k, "--www", "--max-connections", "1", "--alpn", "http/1.1")
        r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_3", "-CAfile", ca,
                            "-servername", "localhost", "-verify_return_error", "-verify_hostname", "localhost",
                            "-alpn", "http/1.1", "-ign_eof"],
                           input=b"GET / HTTP/1.0\r\n\r\n", capture_output=True, timeout=20)
        out = r.stdout.decode(errors="replace")
        check(r.returncode == 0 and "HTTP/1.0 200 OK" in out and "Verify return code: 0 (ok)" in out,
              kind + ": openssl s_client verifies and gets the --www answer")
        check("ALPN protocol: http/1.1" in out and "request: GET / HTTP/1.0" in out, kind + ": ALPN negotiated")
        line = p.stdout.readline().decode()
        log("  server log:", line.strip())
        check(line.startswith("127.0.0.1:") and "TLS_" in line and "resumed=no" in line and "in=18" in line,
              kind + ": one log line per connection")
        p.wait(timeout=10)
    # Echo with Python's ssl (OpenSSL underneath), including a second connection.
    c, k = leaf("tsrv-echo")
    port, p = tern_server("--cert", c, "--key", k, "--max-connections", "2")
    ctx = ssl.create_default_context(cafile=ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    for i in range(2):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                msg = b"echo %d " % i * 1000
                s.sendall(msg)
                got = b""
                while len(got) < len(msg):
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                check(got == msg and s.version() == "TLSv1.3", "python ssl echo round %d" % i)
        line = p.stdout.readline().decode()
        log("  server log:", line.strip())
        check("in=%d out=%d" % (len(msg), len(msg)) in line, "log counts bytes, round %d" % i)
    p.wait(timeout=10)
    check(p.returncode == 0, "--max-connections ends the server")
    # Tickets are on by default: openssl s_client resumes with the one it got.
    port, p = tern_server("--cert", c, "--key", k, "--max-connections", "2", "--www")
    sess = path("sess.pem")
    base = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_3", "-CAfile", ca, "-servername",
            "localhost"]
    get = b"GET / HTTP/1.0\r\n\r\n"
    r = subprocess.run(base + ["-sess_out", sess, "-ign_eof"], input=get, capture_output=True, timeout=20)
    r2 = subprocess.run(base + ["-sess_in", sess, "-ign_eof"], input=get, capture_output=True, timeout=20)
    check(b"Reused, TLSv1.3" in r2.stdout, "openssl s_client resumes with tern server's ticket")
    lines = [p.stdout.readline().decode() for _ in range(2)]
    log("  server log:", "".join(lines).strip())
    check("resumed=no" in lines[0] and "resumed=yes" in lines[1], "server log says resumed=no, then resumed=yes")
    p.wait(timeout=10)
    os.remove(sess)
    port, p = tern_server("--cert", c, "--key", k, "--max-connections", "1", "--www", "--no-tickets")
    base[3] = "127.0.0.1:%d" % port
    r = subprocess.run(base + ["-sess_out", sess, "-ign_eof"], input=get, capture_output=True, timeout=20)
    check(b"200 OK" in r.stdout and not os.path.exists(sess), "--no-tickets: no ticket, nothing to resume with")
    p.wait(timeout=10)
    # Mutual TLS: openssl s_client with and without a client certificate.
    cc, ck = leaf("client-ossl", sans="client.example")
    port, p = tern_server("--cert", c, "--key", k, "--verify-client", ca, "--max-connections", "2")
    base[3] = "127.0.0.1:%d" % port
    r = subprocess.run(base + ["-cert", cc, "-key", ck], input=b"mtls", capture_output=True, timeout=20)
    line = p.stdout.readline().decode()
    log("  server log:", line.strip())
    check("client=CN=client.example" in line and "in=4" in line, "--verify-client: openssl's client certificate accepted")
    r = subprocess.run(base, input=b"x", capture_output=True, timeout=20)
    line = p.stdout.readline().decode()
    log("  server log:", line.strip())
    check("handshake failed" in line and "certificate_required" in line, "--verify-client: no client certificate -> refused")
    p.wait(timeout=10)
    other_key = path("other.key")
    tern("keygen", "--out", other_key)
    rc, _, err = tern("server", "--cert", c, "--key", other_key)
    check(rc != 0 and "does not match" in err, "mismatched key and certificate")


def case_interop():
    """tern client <-> tern server: echo, --www, ALPN, KeyUpdate, resumption, mutual TLS, RSA server key."""
    make_pki()
    ca = path("ca.pem")
    c, k = leaf("both")
    port, p = tern_server("--cert", c, "--key", k, "--max-connections", "2", "--alpn", "h2,http/1.1")
    data = os.urandom(100000)
    rc, out, err = tern("client", "localhost:%d" % port, "--cafile", ca, "--alpn", "h2", "--keyupdate",
                        "--wait", "5", stdin=b"alpn and key update\n")
    check(rc == 0 and out == "alpn and key update\n" and "ALPN:       h2" in err, "ALPN h2 + KeyUpdate echo")
    r = subprocess.run([TERN, "client", "localhost:%d" % port, "--cafile", ca, "--quiet", "--wait", "5"],
                       input=data, capture_output=True, timeout=30)
    check(r.returncode == 0 and r.stdout == data, "100 kB echoed byte-exactly")
    lines = [p.stdout.readline().decode() for _ in range(2)]
    log("  server log:", "".join(lines).strip())
    check("alpn=h2" in lines[0] and "in=100000 out=100000" in lines[1], "server log: ALPN and byte counts")
    p.wait(timeout=10)
    # Resumption tern <-> tern: the server log shows it too.
    port, p = tern_server("--cert", c, "--key", k, "--max-connections", "2")
    rc, out, err = tern("client", "localhost:%d" % port, "--cafile", ca, "--resume", "--wait", "3", stdin=b"resume me\n")
    check(rc == 0 and out == "resume me\n" and "Resumed:    yes" in err, "tern client --resume against tern server")
    lines = [p.stdout.readline().decode() for _ in range(2)]
    log("  server log:", "".join(lines).strip())
    check("resumed=no" in lines[0] and "resumed=yes" in lines[1] and "in=10 out=10" in lines[1],
          "server: full handshake, then resumed=yes with the data")
    p.wait(timeout=10)
    # Mutual TLS tern <-> tern: accepted, missing, untrusted and wrong-usage client certificates.
    cc, ck = leaf("client-tern", sans="client.example")
    port, p = tern_server("--cert", c, "--key", k, "--verify-client", ca, "--max-connections", "3")
    rc, out, err = tern("client", "localhost:%d" % port, "--cafile", ca, "--cert", cc, "--key", ck, "--wait", "3",
                        stdin=b"mutual\n")
    check(rc == 0 and out == "mutual\n" and "Client cert: CN=client.example" in err, "mTLS: client certificate accepted")
    line = p.stdout.readline().decode()
    log("  server log:", line.strip())
    check("client=CN=client.example" in line and "in=7 out=7" in line, "mTLS: server log names the client")
    rc, out, err = tern("client", "localhost:%d" % port, "--cafile", ca, "--wait", "3", stdin=b"x\n")
    check(rc != 0 and "certificate_required" in err, "mTLS: no client certificate -> certificate_required")
    line = p.stdout.readline().decode()
    check("certificate_required" in line, "mTLS: server logs certificate_required")
    os.mkdir(path("other"))
    ok_ = tern("keygen", "--out", path("other/ca.key"))[0] == 0 and tern(
        "cert", "issue", "--key", path("other/ca.key"), "--cn", "Other CA", "--out", path("other/ca.pem"))[0] == 0
    tern("keygen", "--out", path("other/c.key"))
    ok_ = ok_ and tern("cert", "issue", "--key", path("other/c.key"), "--ca", path("other/ca.pem"), "--ca-key",
                       path("other/ca.key"), "--san", "intruder.example", "--eku", "client",
                       "--out", path("other/c.pem"))[0] == 0
    rc, out, err = tern("client", "localhost:%d" % port, "--cafile", ca, "--cert", path("other/c.pem"), "--key",
                        path("other/c.key"), "--wait", "3", stdin=b"x\n")
    line = p.stdout.readline().decode()
    log("  server log:", line.strip())
    check(ok_ and rc != 0 and "unknown_ca" in err and "client certificate rejected" in line and "Other CA" in line,
          "mTLS: untrusted client certificate -> unknown_ca, server names the issuer")
    p.wait(timeout=10)
    # --www with an RSA key made by openssl.
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                    path("rsa.key")], check=True, capture_output=True)
    assert tern("cert", "issue", "--key", path("rsa.key"), "--ca", path("ca.pem"), "--ca-key", path("ca.key"),
                "--san", "localhost", "--out", path("rsa.pem"))[0] == 0
    port, p = tern_server("--cert", path("rsa.pem"), "--key", path("rsa.key"), "--www", "--max-connections", "1")
    rc, out, err = tern("client", "localhost:%d" % port, "--cafile", ca, stdin=b"GET /x HTTP/1.0\r\n\r\n")
    check(rc == 0 and "HTTP/1.0 200 OK" in out and "request: GET /x" in out and "rsa_pss_rsae" in err,
          "--www answer over an RSA-PSS handshake")
    p.wait(timeout=10)


def case_report():
    """scripts/bench-report.sh short run: a markdown ratio table and PNG charts (TERN_BENCH names tern-bench)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = path("report")
    r = subprocess.run([os.path.join(root, "scripts", "bench-report.sh"), "--out", out, "--runs", "1",
                        "--min-time", "0.01", "--filter", "^(sha256|x25519)/"],
                       capture_output=True, text=True, timeout=600, cwd=root)
    log(r.stderr[-2000:])
    check(r.returncode == 0, "bench-report.sh exits 0")
    table = open(os.path.join(out, "ratios.md")).read() if os.path.exists(os.path.join(out, "ratios.md")) else ""
    check("|" in table and "sha256" in table and "x25519" in table, "ratios.md is a table with the sha256 and x25519 rows")
    charts = [l.strip() for l in open(os.path.join(out, "charts.txt"))] if os.path.exists(os.path.join(out, "charts.txt")) else []
    check(len(charts) >= 2, "at least two charts listed (throughput and ops/s)")
    for c in charts:
        with open(c if os.path.isabs(c) else os.path.join(root, c), "rb") as f:
            head = f.read(8)
        check(head == b"\x89PNG\r\n\x1a\n", "%s is a PNG" % os.path.basename(c))
    check(any("progress" in l or "run 1/1" in l for l in r.stderr.splitlines()), "the report shows progress")


CASES = {"certs": case_certs, "check": case_check, "client": case_client, "server": case_server,
         "interop": case_interop, "report": case_report}

if __name__ == "__main__":
    try:
        CASES[CASE]()
    except Exception as e:  # noqa: BLE001 - report any crash as a failure
        import traceback
        traceback.print_exc()
        FAILS.append("exception: %s" % e)
    finally:
        for proc in PROCS:
            if proc.poll() is None:
                proc.kill()
            try:
                proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                pass
        shutil.rmtree(WORK, ignore_errors=True)
    if FAILS:
        log("%d check(s) failed:" % len(FAILS))
        for f in FAILS:
            log("  -", f)
        sys.exit(1)
    log("all checks passed")
