"""session-lab's GET /ws with a real client (Python's websockets): the session data on open,
{"set"}/{"get"}, a cross-origin upgrade refused with 403 (and allowed with --ws-origin), an
oversize message closed with 1009, invalid UTF-8 with 1007, and a logout over HTTP on the same
session closing the socket with 4401. Usage: session_lab_ws.py BUILD_DIR"""
import asyncio
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from session_lab import SessionLab, binary_in  # noqa: E402

import websockets  # noqa: E402
from websockets.exceptions import ConnectionClosed, InvalidStatusCode  # noqa: E402
from websockets.frames import Opcode  # noqa: E402

from lab_http import check, failures, http  # noqa: E402


async def close_code_of(ws):
    try:
        await asyncio.wait_for(ws.recv(), 5)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    return "still open"


async def main(port, lab_allowed):
    origin = lab_allowed  # --ws-origin replaces the default (the request's own host)
    url = f"ws://127.0.0.1:{port}/ws"
    _, cookie = http(port, "POST", "/set/user", body="ann")
    async with websockets.connect(url, origin=origin, extra_headers={"Cookie": cookie}) as ws:
        check("data on open", json.loads(await ws.recv()), {"user": "ann"})
        await ws.send(json.dumps({"set": "cart", "v": [1, 2]}))
        check("set answers ok", await ws.recv(), '"ok"')
        check("HTTP sees the socket's save", http(port, "GET", "/get/cart", cookie)[0], [1, 2])
        http(port, "POST", "/set/user", cookie, "bob")
        await ws.send(json.dumps({"get": "user"}))
        check("get sees HTTP's change", json.loads(await ws.recv()), "bob")
        await ws.send(json.dumps({"get": "nothing"}))
        check("get of a missing key", await ws.recv(), "null")
        await ws.send("{not json")
        check("bad message answered, socket open", "error" in json.loads(await ws.recv()), True)
        http(port, "POST", "/logout", cookie)
        check("logout closes with 4401", await close_code_of(ws), 4401)

    try:
        async with websockets.connect(url, origin="https://evil.example"):
            failures.append("cross-origin upgrade was accepted")
    except InvalidStatusCode as refused:
        check("cross-origin upgrade", refused.status_code, 403)
    try:
        async with websockets.connect(url, origin=f"http://127.0.0.1:{port}"):
            failures.append("own host accepted although --ws-origin replaces it")
    except InvalidStatusCode as refused:
        check("own host outside the allow-list", refused.status_code, 403)
    async with websockets.connect(url, origin=lab_allowed) as ws:
        await ws.recv()
        await ws.send("x" * (64 * 1024 + 1))
        check("oversize message", await close_code_of(ws), 1009)
    async with websockets.connect(url, origin=origin) as ws:
        await ws.recv()
        # A text frame whose payload is not UTF-8, written below the library's own checks.
        await ws.write_frame(True, Opcode.TEXT, b"\xc3\x28")
        check("invalid UTF-8", await close_code_of(ws), 1007)


if __name__ == "__main__":
    build = sys.argv[1]
    allowed = "https://app.example"
    with tempfile.TemporaryDirectory() as folder:
        lab = SessionLab(binary_in(build), ["--port", "0", "--ws-origin", allowed],
                         os.path.join(folder, "lab.log"))
        lab.start()
        try:
            asyncio.run(main(lab.port, allowed))
        finally:
            lab.stop()
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("ok: session-lab /ws")
