#!/usr/bin/env python3
"""Checks an example server with many concurrent clients (standard library only).

    examples/loadtest.py echo  PORT [--clients N] [--host H]
    examples/loadtest.py rot13 PORT [--clients N]
    examples/loadtest.py http  PORT [--clients N]
    examples/loadtest.py chat  PORT [--clients N]

All clients connect first (so N connections are open at the same time), then each one
exchanges its messages and checks every reply byte for byte. Exit 0 only if every client
got exactly the expected replies. Works against the server run in Donjon (`./donjon run
examples/echo/echo.wasm --wasmcfgfile examples/echo/Enarx.toml`) or its native build.
"""
import argparse
import asyncio
import codecs
import sys
import time


def rot13(b: bytes) -> bytes:
    return codecs.encode(b.decode("latin-1"), "rot13").encode("latin-1")


async def open_conn(host, port):
    return await asyncio.open_connection(host, port)


async def echo_client(i, r, w):
    for k in range(3):
        msg = f"client {i} message {k} " .encode() + bytes(range(256)) * (k + 1) + b"\n"
        w.write(msg)
        await w.drain()
        got = await r.readexactly(len(msg))
        if got != msg:
            raise AssertionError(f"client {i}: echo mismatch")
    w.write_eof()
    if await r.read() != b"":
        raise AssertionError(f"client {i}: data after EOF")


async def rot13_client(i, r, w):
    lines = [f"Hello, World! client {i}\n".encode(), b"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\r\n"]
    for line in lines:
        w.write(line)
        await w.drain()
        want = line + rot13(line)
        got = await r.readexactly(len(want))
        if got != want:
            raise AssertionError(f"client {i}: rot13 got {got!r}, want {want!r}")
    w.write(b"no newline at the end")
    w.write_eof()
    want = b"no newline at the end\n" + rot13(b"no newline at the end") + b"\n"
    got = await r.read()
    if got != want:
        raise AssertionError(f"client {i}: last line got {got!r}, want {want!r}")


async def http_client(i, r, w):
    for k in range(2):
        w.write(f"GET /x{k} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: loadtest {i}\r\n\r\n".encode())
        await w.drain()
        await read_http_response(r, i)
    w.write(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    await w.drain()
    await read_http_response(r, i)
    if await r.read() != b"":
        raise AssertionError(f"client {i}: connection not closed after Connection: close")


async def read_http_response(r, i):
    head = await r.readuntil(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    if not lines[0].startswith("HTTP/1.1 200"):
        raise AssertionError(f"client {i}: status {lines[0]!r}")
    headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    body = await r.readexactly(int(headers["content-length"]))
    if body != b"Hello, world!\n":
        raise AssertionError(f"client {i}: body {body!r}")


async def run(mode, host, port, n):
    t0 = time.monotonic()
    conns = await asyncio.gather(*(open_conn(host, port) for _ in range(n)))
    t1 = time.monotonic()
    print(f"{n} connections open in {t1 - t0:.2f}s")
    if mode == "chat":
        await chat(conns)
    else:
        client = {"echo": echo_client, "rot13": rot13_client, "http": http_client}[mode]
        await asyncio.gather(*(client(i, r, w) for i, (r, w) in enumerate(conns)))
    t2 = time.monotonic()
    for _, w in conns:
        w.close()
    print(f"{mode}: {n} clients OK, exchanges took {t2 - t1:.2f}s")


async def chat(conns):
    # Every client says one line; every other client must receive it, and the sender must not.
    n = len(conns)
    await asyncio.sleep(0.2)  # let the server accept everyone before the first message
    for i, (_, w) in enumerate(conns):
        w.write(f"hi from {i}\n".encode())
        await w.drain()

    async def collect(i, r):
        seen = set()
        while len(seen) < n - 1:
            line = (await asyncio.wait_for(r.readline(), 30)).decode()
            if not line:
                raise AssertionError(f"client {i}: closed early")
            if line.startswith("* "):
                continue  # the server's greeting
            sender = int(line.rsplit(" ", 1)[1])
            if sender == i:
                raise AssertionError(f"client {i}: got its own line back")
            seen.add(sender)

    await asyncio.gather(*(collect(i, r) for i, (r, _) in enumerate(conns)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["echo", "rot13", "http", "chat"])
    p.add_argument("port", type=int)
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--host", default="127.0.0.1")
    a = p.parse_args()
    try:
        asyncio.run(run(a.mode, a.host, a.port, a.clients))
    except (AssertionError, OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as e:
        print(f"FAIL: {e!r}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
