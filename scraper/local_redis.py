"""A throwaway Redis for tests and benchmarks: Debian's redis-server on 127.0.0.1, a free port, a temporary dir."""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

REDIS_SERVER = "redis-server"


class RedisUnavailable(RuntimeError):
    """redis-server is not installed or did not start."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_redis(timeout: float = 10.0) -> Iterator[str]:
    """Start redis-server (no persistence, loopback only) and yield its URL `redis://127.0.0.1:PORT/0`; stop it after.

    Raises RedisUnavailable when redis-server is not on PATH (`apt-get install redis-server`) or does not answer.
    """
    binary = shutil.which(REDIS_SERVER) or shutil.which(REDIS_SERVER, path="/usr/bin:/usr/sbin")
    if binary is None:
        raise RedisUnavailable("redis-server not found (Debian: apt-get install -y redis-server)")
    with tempfile.TemporaryDirectory(prefix="kommunarkiv-redis-") as workdir:
        port = _free_port()
        process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", workdir,
                                    "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                        sock.sendall(b"PING\r\n")
                        if sock.recv(16).startswith(b"+PONG"):
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RedisUnavailable(f"redis-server did not start on port {port}: "
                                           f"{(process.stderr.read() or b'').decode(errors='replace')[-300:]}")
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            stop_process(process)
            process.stderr.close()


def stop_process(process: subprocess.Popen, grace: float = 10) -> None:
    """Terminate a child process; kill it if it has not ended after `grace` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
