#!/usr/bin/env python3
"""`make bench`: mediaup side by side with curl on the loopback sandbox.

Runs ten comparisons (see bench/RESULTS.md) against a release build, prints one table and
writes it to bench/RESULTS.md (the hand-written "Before and after" section there is
kept). Both sides of a comparison run alternately in the same run, several times;
the table shows medians. `--smoke` runs every comparison at toy sizes, once, to show
the harness still works (a test does that); its numbers mean nothing.

Only the standard library: processes, a pty for the screen, /proc for CPU, wait4 for
peak memory, and the sandbox's own counters (GET /sandbox/stats) for bytes. Comparison 10
also needs ffprobe or ffmpeg (--ffmpeg, MEDIAUP_FFMPEG, PATH, or the imageio-ffmpeg package).
"""

import argparse
import datetime
import fcntl
import hashlib
import http.client
import json
import os
import platform
import pty
import re
import resource
import select
import shutil
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import uuid
import zlib

KEY = "sandbox"
MIB = 1024 * 1024
GIB = 1024 * MIB
HISTORY_HEADING = "## Before and after"


class Sizes:
    """What each comparison moves; --smoke shrinks everything."""

    def __init__(self, smoke):
        self.runs = 1 if smoke else 5
        # One GiB moves in about a second here, so single runs swing by 15%: take more.
        self.single_runs = 1 if smoke else 9
        self.single = 8 * MIB if smoke else GIB
        self.parallel_file = 2 * MIB if smoke else 256 * MIB
        self.parallel_runs = 1 if smoke else 5
        self.memory = [MIB, 4 * MIB, 16 * MIB] if smoke else [64 * MIB, GIB, 4 * GIB]
        self.memory_runs = 1 if smoke else 3
        self.cpu_window = 1.0 if smoke else 10.0
        self.cpu_windows = 1 if smoke else 3
        self.cpu_file = 4 * MIB if smoke else 48 * MIB
        self.folder_files = 2_000 if smoke else 100_000
        self.journal_sessions = 500 if smoke else 10_000
        self.resume_file = 8 * MIB if smoke else 64 * MIB
        self.resume_rate = 4 * MIB if smoke else 32 * MIB
        self.catalogue_files = 40 if smoke else 2_000
        self.catalogue_runs = 1 if smoke else 3
        self.check_files = 60 if smoke else 1_000
        self.check_runs = 1 if smoke else 3


# ---------------------------------------------------------------- processes


class Failure(Exception):
    """A side of a comparison did not do its job (an upload failed): the bench stops."""


def spawn(argv, env, stdout_path=os.devnull, stderr_path=os.devnull):
    """Starts argv with stdout/stderr to files; returns the pid (waited with wait4)."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        (os.POSIX_SPAWN_OPEN, 2, stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
    ]
    return os.posix_spawnp(argv[0], argv, env, file_actions=actions)


def run_measured(argv, env, what):
    """Runs argv to the end: its seconds. A non-zero exit is a Failure."""
    err = tempfile.NamedTemporaryFile(prefix="bench-stderr-", delete=False).name
    out = err + ".out"
    start = time.perf_counter()
    pid = spawn(argv, env, out, err)
    _, status = os.waitpid(pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        detail = (open(err, errors="replace").read() + open(out, errors="replace").read())[-2000:]
        raise Failure(f"{what} exited {code}: {detail}")
    os.unlink(err)
    os.unlink(out)
    return seconds


# Runs argv from a small, fresh process and prints the child's peak RSS. A process
# spawned straight from the bench would report at least the bench's own peak (vfork
# and exec carry the parent's high-water mark), which can be above mediaup's.
PEAK_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def peak_rss_kib(argv, env, what):
    """Runs argv to the end through PEAK_LAUNCHER; its peak resident memory in KiB."""
    done = subprocess.run([sys.executable, "-c", PEAK_LAUNCHER] + argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure(f"{what} exited {done.returncode}: {done.stderr[-2000:]}")
    return int(done.stdout.strip().split("\n")[-1])


class Sandbox:
    """`mediaup sandbox` in a child process, on a free loopback port."""

    def __init__(self, binary, work, name, rate=None, discard=False):
        self.storage = os.path.join(work, name)
        argv = [binary, "sandbox", "--port", "0", "--storage-dir", self.storage,
                "--state-dir", os.path.join(work, name + "-state")]
        if rate:
            argv += ["--rate", str(rate)]
        if discard:
            argv += ["--discard-bytes"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, env=base_env(work))
        line = self.proc.stdout.readline()
        found = re.search(r"listening on (http://\S+)", line)
        if not found:
            raise Failure(f"the sandbox did not start: {line!r}")
        self.url = found.group(1)
        port = int(self.url.rsplit(":", 1)[1])
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def stats(self):
        """The sandbox's counters (see GET /sandbox/stats)."""
        self.connection.request("GET", "/sandbox/stats", headers={"D360-API-KEY": KEY})
        return json.loads(self.connection.getresponse().read())

    def forget_files(self):
        """Deletes received bytes (data files of finished uploads) so the disk does not fill."""
        for name in os.listdir(self.storage):
            path = os.path.join(self.storage, name)
            if not name.endswith(".json") and name != "sandbox-secret" and os.path.getsize(path) > 64 * 1024:
                os.unlink(path)

    def stored_file(self, size):
        """The newest received file of `size` bytes."""
        candidates = [os.path.join(self.storage, n) for n in os.listdir(self.storage)]
        candidates = [p for p in candidates if os.path.getsize(p) == size and not p.endswith(".json")]
        return max(candidates, key=os.path.getmtime) if candidates else None

    def stop(self):
        self.connection.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


def base_env(work):
    """A clean environment: no user config file, no real key, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIAUP_", "D360_"))}
    env["XDG_CONFIG_HOME"] = os.path.join(work, "config")
    env["NO_COLOR"] = "1"
    return env


def mediaup_env(work, sandbox, state):
    env = base_env(work)
    env.update({"MEDIAUP_BASE_URL": sandbox.url, "D360_API_KEY": KEY, "MEDIAUP_STATE_DIR": state})
    return env


class StateDirs:
    """A fresh state directory per run: a finished file is never reported instead of sent."""

    def __init__(self, work):
        self.work = work
        self.count = 0

    def fresh(self):
        self.count += 1
        path = os.path.join(self.work, f"state-{self.count}")
        shutil.rmtree(path, ignore_errors=True)
        return path


# ---------------------------------------------------------------- files



def write_file(path, header, size, block):
    """header, then `block` repeated, to `size` bytes; streamed, never whole in memory."""
    assert block, "an empty block would never fill the file"
    with open(path, "wb") as f:
        f.write(header)
        left = size - len(header)
        block = memoryview(block)
        while left > 0:
            piece = block[: min(left, len(block))]
            f.write(piece)
            left -= len(piece)
    return path


def sparse_file(path, header, size):
    """A file of `size` bytes that takes no disk: header, then a hole (reads as zeros)."""
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(size)
    return path


def pdf_header(tag):
    return b"%PDF-1.7\n% " + tag.encode() + b"\n"


def png_header(width=64, height=48):
    """The PNG signature and an IHDR chunk (8-bit RGB): what mediaup's media check reads."""
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))


PNG_HEADER = png_header()
# After the filler: the IDAT chunk's CRC, then the IEND chunk.
PNG_TRAILER = b"\0\0\0\0" + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))


def write_png(path, tag, size, block):
    """PNG_HEADER, then one IDAT chunk holding `tag` and `block` repeated, then IEND, to
    `size` bytes: mediaup walks a PNG's chunks to IEND, and refuses one cut short."""
    data = size - len(PNG_HEADER) - 8 - len(PNG_TRAILER)
    write_file(path, PNG_HEADER + struct.pack(">I", data) + b"IDAT" + tag, size - len(PNG_TRAILER), block)
    with open(path, "ab") as f:
        f.write(PNG_TRAILER)
    return path


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- curl, the baseline


def curl_resumable(sandbox, path, mime="application/pdf"):
    """The curl recipe for a resumable session: create it, then POST the file with -T.
    `Expect:` is switched off: the sandbox does not answer 100-continue, and curl would
    otherwise wait a second before sending (curl's best case is measured)."""
    size = os.path.getsize(path)
    name = os.path.basename(path)
    created = subprocess.run(
        ["curl", "-sS", "--fail-with-body", "-X", "POST", "-H", f"D360-API-KEY: {KEY}",
         f"{sandbox.url}/uploads?file_name={name}&file_length={size}&file_type={mime}"],
        capture_output=True, text=True)
    if created.returncode != 0:
        raise Failure(f"curl could not create a session: {created.stdout}{created.stderr}")
    session = json.loads(created.stdout)["id"]
    sent = subprocess.run(
        ["curl", "-sS", "--fail-with-body", "-X", "POST", "-T", path, "-H", f"D360-API-KEY: {KEY}",
         "-H", "file_offset: 0", "-H", "Expect:", f"{sandbox.url}/{session}"],
        capture_output=True, text=True)
    if sent.returncode != 0 or '"h"' not in sent.stdout:
        raise Failure(f"curl upload failed: {sent.stdout}{sent.stderr}")


def children_cpu_seconds():
    """User + system time of every child waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


class BareSink:
    """A loopback HTTP server that takes a body and answers 200, nothing else: the
    ceiling one stream can reach on this machine. The kernel drops the bytes
    (MSG_TRUNC) instead of copying them out, so the sink costs next to nothing."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/sink"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        buffer = bytearray(4 * MIB)
        while True:
            connection, _ = self.listener.accept()
            with connection:
                head = b""
                while b"\r\n\r\n" not in head:
                    head += connection.recv(65536)
                header, rest = head.split(b"\r\n\r\n", 1)
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", header).group(1)) - len(rest)
                view = memoryview(buffer)
                while length > 0:
                    got = connection.recv_into(view, min(length, len(buffer)), socket.MSG_TRUNC)
                    if got == 0:
                        break
                    length -= got
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")


# ---------------------------------------------------------------- the screen in a pty


class Screen:
    """`mediaup tui` on a pseudo-terminal: everything it draws is read (so it never
    blocks on output) and searched for a marker."""

    def __init__(self, argv, env, columns=120, rows=40):
        self.start = time.perf_counter()
        self.pid, self.master = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.output = bytearray()
        self.lock = threading.Lock()
        self.seen = {}
        self.closed = False
        threading.Thread(target=self.drain, daemon=True).start()

    def drain(self):
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.5)
                if not ready:
                    continue
                data = os.read(self.master, 65536)
            except OSError:
                break
            if not data:
                break
            now = time.perf_counter()
            with self.lock:
                self.output += data
                # Keep only a tail to search: markers are short.
                if len(self.output) > 1 * MIB:
                    del self.output[: len(self.output) - 4096]
                for marker in list(self.seen):
                    if self.seen[marker] is None and marker in self.output:
                        self.seen[marker] = now
        self.closed = True

    def watch(self, marker):
        with self.lock:
            self.seen.setdefault(marker.encode(), None)
            if self.seen[marker.encode()] is None and marker.encode() in self.output:
                self.seen[marker.encode()] = time.perf_counter()

    def wait_for(self, marker, timeout=30):
        """Seconds from start until `marker` was first drawn."""
        self.watch(marker)
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and not self.closed:
            with self.lock:
                at = self.seen[marker.encode()]
            if at is not None:
                return at - self.start
            time.sleep(0.002)
        raise Failure(f"the screen never showed {marker!r}: {bytes(self.output[-600:])!r}")

    def keys(self, text):
        for ch in text:
            os.write(self.master, ch.encode())
            time.sleep(0.05)

    def cpu_seconds(self):
        """User + system time of the whole process (all threads) so far."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except ProcessLookupError:
            pass
        os.close(self.master)


# ---------------------------------------------------------------- the comparisons


def median(values):
    return statistics.median(values)


class Bench:
    def __init__(self, binary, work, sizes, ffmpeg=None):
        self.binary = binary
        self.ffmpeg = ffmpeg
        self.work = work
        self.sizes = sizes
        self.states = StateDirs(work)
        self.rows = []
        # Files repeat one small random block: a network benchmark needs no more entropy.
        self.block = os.urandom(4 * MIB)

    def row(self, number, measure, mediaup, baseline, result, goal, met):
        self.rows.append((number, measure, mediaup, baseline, result, goal, measured_on(), met))
        print(f"  {number}. {measure}: {mediaup} | {baseline} | {result} ({'met' if met else 'MISSED'})", flush=True)

    def mediaup(self, sandbox, args, what):
        env = mediaup_env(self.work, sandbox, self.states.fresh())
        return run_measured([self.binary] + args, env, what)

    # 1
    def single_stream(self):
        s = self.sizes
        path = write_file(os.path.join(self.work, "single.pdf"), pdf_header("single"), s.single, self.block)
        sink = BareSink()
        ceiling = median([timed(lambda: subprocess.run(
            ["curl", "-sS", "-o", os.devnull, "-X", "POST", "-T", path, "-H", "Expect:", sink.url], check=True))
            for _ in range(s.single_runs)])
        # Once into a sandbox that stores the bytes, to check them (SHA-256); the timed
        # runs go to one that counts and drops them, so that it is not the bottleneck.
        checking = Sandbox(self.binary, self.work, "sandbox-single-check")
        try:
            self.mediaup(checking, ["upload", "--ignore-size-limits", path], "mediaup upload")
            stored = checking.stored_file(s.single)
            if stored is None or sha256_of(stored) != sha256_of(path):
                raise Failure("the sandbox's copy of the mediaup upload differs from the file (SHA-256)")
        finally:
            checking.stop()
            shutil.rmtree(checking.storage)
        sandbox = Sandbox(self.binary, self.work, "sandbox-single", discard=True)
        ours, theirs, our_cpu, their_cpu = [], [], [], []
        try:
            for _ in range(s.single_runs):
                cpu = children_cpu_seconds()
                theirs.append(timed(lambda: curl_resumable(sandbox, path)))
                their_cpu.append(children_cpu_seconds() - cpu)
                cpu = children_cpu_seconds()
                ours.append(self.mediaup(sandbox, ["upload", "--ignore-size-limits", path], "mediaup upload"))
                our_cpu.append(children_cpu_seconds() - cpu)
        finally:
            sandbox.stop()
            os.unlink(path)
        rate = lambda seconds: s.single / seconds / 1e6
        ratio = median(theirs) / median(ours)
        self.row(1, f"one {human(s.single)} upload, resumable session (sandbox dropping the bytes)",
                 f"{rate(median(ours)):.0f} MB/s, client CPU {median(our_cpu):.2f} s",
                 f"curl {rate(median(theirs)):.0f} MB/s, client CPU {median(their_cpu):.2f} s "
                 f"(curl into a bare sink that drops the bytes: {rate(ceiling):.0f} MB/s)",
                 f"{ratio:.2f}×, CPU {median(our_cpu) / median(their_cpu):.2f}× curl's", "≥ 0.95×, CPU ≤ 1× curl's",
                 ratio >= 0.95 and median(our_cpu) <= median(their_cpu))

    # 2
    def eight_streams(self):
        s = self.sizes
        paths = [write_file(os.path.join(self.work, f"parallel-{i}.pdf"), pdf_header(f"parallel {i}"),
                            s.parallel_file, self.block) for i in range(8)]
        # The bytes were checked in comparison 1; here too the sandbox drops them, so the
        # clients are measured, not the page cache (with storing, runs swung 0.87–1.48×).
        sandbox = Sandbox(self.binary, self.work, "sandbox-parallel", discard=True)
        ours, theirs = [], []

        def eight_curls():
            before = sandbox.stats()["sessions_complete"]
            threads = [threading.Thread(target=curl_resumable, args=(sandbox, p)) for p in paths]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if sandbox.stats()["sessions_complete"] != before + 8:
                raise Failure("not every curl upload completed")

        try:
            for _ in range(s.parallel_runs):
                theirs.append(timed(eight_curls))
                ours.append(self.mediaup(sandbox, ["upload", "--ignore-size-limits", "--parallel", "8"] + paths,
                                         "mediaup upload --parallel 8"))
        finally:
            sandbox.stop()
            for path in paths:
                os.unlink(path)
        total = 8 * s.parallel_file
        ratio = median(theirs) / median(ours)
        self.row(2, f"eight {human(s.parallel_file)} uploads at once (sandbox dropping the bytes)",
                 f"{total / median(ours) / 1e6:.0f} MB/s", f"8 curls {total / median(theirs) / 1e6:.0f} MB/s",
                 f"{ratio:.2f}×", "≥ 0.9×", ratio >= 0.9)

    # 3
    def memory(self):
        s = self.sizes
        sandbox = Sandbox(self.binary, self.work, "sandbox-memory")
        peaks = []
        try:
            for size in s.memory:
                path = os.path.join(self.work, f"memory-{size}.pdf")
                if size > 2 * GIB:
                    sparse_file(path, pdf_header("memory"), size)
                else:
                    write_file(path, pdf_header("memory"), size, self.block)
                runs = []
                for _ in range(s.memory_runs):
                    env = mediaup_env(self.work, sandbox, self.states.fresh())
                    runs.append(peak_rss_kib([self.binary, "upload", "--ignore-size-limits", path], env, "mediaup upload"))
                    sandbox.forget_files()
                peaks.append(median(runs) / 1024)
                os.unlink(path)
        finally:
            sandbox.stop()
        spread = (max(peaks) - min(peaks)) / min(peaks)
        text = ", ".join(f"{human(size)}: {peak:.1f} MiB" for size, peak in zip(s.memory, peaks))
        self.row(3, "peak resident memory of mediaup upload", text, "—",
                 f"max {max(peaks):.1f} MiB, spread {spread * 100:.0f}%", "≤ 48 MiB, spread ≤ 10%",
                 max(peaks) <= 48 and spread <= 0.10)

    # 4
    def screen_cpu(self):
        s = self.sizes
        folder = os.path.join(self.work, "cpu-files")
        os.makedirs(folder, exist_ok=True)
        paths = [write_file(os.path.join(folder, f"brochure-{i}.pdf"), pdf_header(f"cpu {i}"), s.cpu_file, self.block)
                 for i in range(8)]
        sandbox = Sandbox(self.binary, self.work, "sandbox-cpu", rate=1_000_000)
        screen = Screen([self.binary, "tui", "--parallel", "8", folder], mediaup_env(self.work, sandbox, self.states.fresh()))
        try:
            screen.wait_for("brochure-0.pdf")
            time.sleep(1)
            idle = median(self.cpu_windows(screen))
            screen.keys("j" + " " * 8 + "u")
            deadline = time.time() + 20
            while sandbox.stats()["sessions"] < 8 or sandbox.stats()["session_bytes_stored"] < 8 * 500_000:
                if time.time() > deadline:
                    raise Failure(f"the eight uploads did not start: {sandbox.stats()}")
                time.sleep(0.1)
            busy_before = sandbox.stats()["session_bytes_stored"]
            busy = median(self.cpu_windows(screen))
            moved = sandbox.stats()["session_bytes_stored"] - busy_before
            if moved < 8 * 0.5e6 * s.cpu_window * s.cpu_windows:
                raise Failure(f"the eight uploads stopped while measured ({moved} bytes moved)")
        finally:
            screen.close()
            sandbox.stop()
            shutil.rmtree(folder)
        self.row(4, f"screen CPU over {s.cpu_window:.0f} s (share of one core)",
                 f"idle {idle * 100:.2f}%, 8 uploads at 1 MB/s {busy * 100:.2f}%", "—",
                 f"{idle * 100:.2f}% / {busy * 100:.2f}%", "≤ 1% / ≤ 10%", idle <= 0.01 and busy <= 0.10)

    def cpu_windows(self, screen):
        shares = []
        for _ in range(self.sizes.cpu_windows):
            before = screen.cpu_seconds()
            time.sleep(self.sizes.cpu_window)
            shares.append((screen.cpu_seconds() - before) / self.sizes.cpu_window)
        return shares

    # 5
    def big_folder(self):
        s = self.sizes
        folder = os.path.join(self.work, f"folder-{s.folder_files}")
        os.makedirs(folder, exist_ok=True)
        jpeg = b"\xff\xd8\xff\xe0" + bytes(60)
        for i in range(s.folder_files):
            with open(os.path.join(folder, f"img-{i:06d}.jpg"), "wb") as f:
                f.write(jpeg)
        sandbox = Sandbox(self.binary, self.work, "sandbox-folder")
        try:
            times = self.first_frames([self.binary, "tui", folder], "img-000000.jpg",
                                      lambda: mediaup_env(self.work, sandbox, self.states.fresh()))
        finally:
            sandbox.stop()
            shutil.rmtree(folder)
        ms = median(times) * 1000
        self.row(5, f"open a folder of {s.folder_files:,} files to the first frame showing it",
                 f"{ms:.0f} ms", "—", f"{ms:.0f} ms", "≤ 300 ms", ms <= 300)

    def first_frames(self, argv, marker, make_env):
        """Seconds from start to `marker` on screen, once per run, each a new screen."""
        times = []
        for _ in range(self.sizes.runs):
            screen = Screen(argv, make_env())
            try:
                times.append(screen.wait_for(marker))
            finally:
                screen.close()
        return times

    # 6
    def big_journal(self):
        s = self.sizes
        sandbox = Sandbox(self.binary, self.work, "sandbox-journal")
        state = self.states.fresh()
        sample = write_png(os.path.join(self.work, "seed.png"), b"", 4096, self.block)
        empty = os.path.join(self.work, "empty-folder")
        os.makedirs(empty, exist_ok=True)
        try:
            env = mediaup_env(self.work, sandbox, state)
            run_measured([self.binary, "upload", sample], env, "mediaup upload (journal seed)")
            fill_journal(state, s.journal_sessions)
            times = self.first_frames([self.binary, "tui", empty], "seed.png", lambda: env)
        finally:
            sandbox.stop()
        ms = median(times) * 1000
        self.row(6, f"start-up to the first frame with {s.journal_sessions:,} sessions in the journal",
                 f"{ms:.0f} ms", "—", f"{ms:.0f} ms", "≤ 200 ms", ms <= 200)

    # 7 and 9
    def interrupted(self):
        s = self.sizes
        path = write_file(os.path.join(self.work, "resume.pdf"), pdf_header("resume"), s.resume_file, self.block)
        sandbox = Sandbox(self.binary, self.work, "sandbox-resume", rate=s.resume_rate)
        resent, below, first_byte = [], [], []
        try:
            for _ in range(s.runs):
                before = sandbox.stats()
                env = mediaup_env(self.work, sandbox, self.states.fresh())
                argv = [self.binary, "upload", "--ignore-size-limits", path]
                pid = spawn(argv, env)
                stored = lambda: sandbox.stats()["session_bytes_stored"] - before["session_bytes_stored"]
                deadline = time.time() + 60
                while stored() < s.resume_file * 0.4:
                    if time.time() > deadline:
                        raise Failure("the upload to interrupt never got going")
                    time.sleep(0.005)
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                # The sandbox still reads what was in flight; wait until its offset holds.
                held, steady_since = stored(), time.perf_counter()
                while time.perf_counter() - steady_since < 0.5:
                    time.sleep(0.01)
                    now = stored()
                    if now != held:
                        held, steady_since = now, time.perf_counter()
                start = time.perf_counter()
                pid = spawn(argv, env)
                while stored() <= held:
                    if time.perf_counter() - start > 30:
                        raise Failure("the resumed upload sent nothing")
                first_byte.append(time.perf_counter() - start)
                _, status, _ = os.wait4(pid, 0)
                if os.waitstatus_to_exitcode(status) != 0:
                    raise Failure("the resumed upload failed")
                after = sandbox.stats()
                received = after["session_body_bytes_received"] - before["session_body_bytes_received"]
                resent.append(received - s.resume_file)
                below.append(after["offset_refusals_below_reported_offset"] - before["offset_refusals_below_reported_offset"])
                sandbox.forget_files()
        finally:
            sandbox.stop()
        self.row(7, "bytes sent more than once after kill -9 and resume",
                 f"{median(resent):,.0f} bytes re-sent (max {max(resent):,}); "
                 f"{sum(below)} requests below the server's offset", "—",
                 f"{sum(below)} below offset", "0 below the server's offset", sum(below) == 0)
        ms = median(first_byte) * 1000
        self.row(9, "after kill -9: restart to the first new byte at the sandbox",
                 f"{ms:.0f} ms", "—", f"{ms:.0f} ms", "≤ 300 ms", ms <= 300)

    # 8
    def catalogue(self):
        s = self.sizes
        folder = os.path.join(self.work, f"catalogue-{s.catalogue_files}")
        os.makedirs(folder, exist_ok=True)
        size = 100 * 1024
        starts = [(i * 4096) % (len(self.block) - size) for i in range(s.catalogue_files)]
        paths = [write_png(os.path.join(folder, f"product-{i:04d}.png"), i.to_bytes(4, "big"),
                           size, self.block[start:start + size]) for i, start in enumerate(starts)]
        # 360dialog's recipe for POST /media, once per file: in a loop, and four at a time
        # with xargs -P 4, as a user with a shell would speed it up.
        curl = ('curl -sS --fail-with-body -o /dev/null -X POST "$MEDIAUP_BASE_URL/media" '
                '-H "D360-API-KEY: $D360_API_KEY" -F messaging_product=whatsapp -F "file=@$f;type=image/png"')
        loop = os.path.join(self.work, "curl-loop.sh")
        with open(loop, "w") as f:
            f.write(f'for f in "$@"; do {curl} || exit 1; done\n')
        one = os.path.join(self.work, "curl-one.sh")
        with open(one, "w") as f:
            f.write(f'f="$1"; {curl}\n')
        fan_out = os.path.join(self.work, "curl-xargs.sh")
        with open(fan_out, "w") as f:
            f.write(f'printf "%s\\0" "$@" | xargs -0 -n 1 -P 4 bash {one}\n')
        sandbox = Sandbox(self.binary, self.work, "sandbox-catalogue")
        ours, looped, fanned = [], [], []
        try:
            for _ in range(s.catalogue_runs):
                env = mediaup_env(self.work, sandbox, self.states.fresh())
                before = sandbox.stats()["media_uploads"]
                looped.append(run_measured(["bash", loop] + paths, env, "curl loop"))
                fanned.append(run_measured(["bash", fan_out] + paths, env, "xargs -P 4 curl"))
                ours.append(self.mediaup(sandbox, ["upload", "--via", "media", "--parallel", "4"] + paths,
                                         "mediaup upload --via media"))
                if sandbox.stats()["media_uploads"] - before != 3 * s.catalogue_files:
                    raise Failure("not every catalogue file arrived")
                sandbox.forget_files()
        finally:
            sandbox.stop()
            shutil.rmtree(folder)
        over_loop = median(looped) / median(ours)
        over_fan_out = median(fanned) / median(ours)
        self.row(8, f"catalogue: {s.catalogue_files:,} PNGs of 100 KB via /media",
                 f"{median(ours):.2f} s", f"curl loop {median(looped):.2f} s; xargs -P 4 curl {median(fanned):.2f} s",
                 f"{over_loop:.1f}× / {over_fan_out:.1f}×", "≥ 5× / ≥ 1.5×", over_loop >= 5 and over_fan_out >= 1.5)

    # 10
    def check_media(self):
        s = self.sizes
        prober, prober_name = find_prober(self.ffmpeg)
        folder = os.path.join(self.work, f"media-{s.check_files}")
        os.makedirs(folder, exist_ok=True)
        corpus = sorted(n for n in os.listdir(CORPUS) if not n.endswith((".py", ".txt")))
        paths = []
        for i in range(s.check_files):
            name = corpus[i % len(corpus)]
            paths.append(os.path.join(folder, f"{i:04d}-{name}"))
            shutil.copyfile(os.path.join(CORPUS, name), paths[-1])
        env = dict(os.environ)
        ours, theirs = [], []
        try:
            for _ in range(s.check_runs):
                theirs.append(timed(lambda: [subprocess.run(prober + [p], stdout=subprocess.DEVNULL,
                                                            stderr=subprocess.DEVNULL, env=env) for p in paths]))
                out = {}
                ours.append(timed(lambda: out.update(result=subprocess.run(
                    [self.binary, "check", "--via", "media", "--json", folder], capture_output=True, text=True, env=env))))
                lines = out["result"].stdout.splitlines()
                if out["result"].returncode not in (0, 1) or len(lines) != s.check_files:
                    raise Failure(f"mediaup check gave {len(lines)} lines for {s.check_files} files: {out['result'].stderr}")
        finally:
            shutil.rmtree(folder)
        ratio = median(theirs) / median(ours)
        self.row(10, f"check {s.check_files:,} mixed media files (the corpus's {len(corpus)} kinds) for WhatsApp's codec rules",
                 f"mediaup check {median(ours) * 1000:.0f} ms", f"{prober_name} loop {median(theirs) * 1000:.0f} ms",
                 f"{ratio:.0f}×", "≥ 20×", ratio >= 20)


CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "media")


def find_prober(explicit):
    """The command that probes one file as people do in a loop: ffprobe where there is
    one, else `ffmpeg -i` (which reads the headers, prints the streams and stops)."""
    if explicit is None and shutil.which("ffprobe"):
        return [shutil.which("ffprobe"), "-v", "error", "-show_streams"], "ffprobe -show_streams"
    ffmpeg = explicit or os.environ.get("MEDIAUP_FFMPEG") or shutil.which("ffmpeg")
    if ffmpeg is None:
        try:
            import imageio_ffmpeg
            ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
        except ImportError:
            raise Failure("comparison 10 needs ffprobe or ffmpeg: apt install ffmpeg, or pip install imageio-ffmpeg")
    return [ffmpeg, "-hide_banner", "-nostdin", "-i"], "ffmpeg -i"


def fill_journal(state, count):
    """Copies the one session in the journal until there are `count` (ids and times differ)."""
    names = [n for n in os.listdir(state) if n.endswith((".sqlite", ".db"))]
    if len(names) != 1:
        raise Failure(f"cannot find the journal in {state}: {os.listdir(state)}")
    db = sqlite3.connect(os.path.join(state, names[0]))
    table = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'grdb%' "
                       "AND name NOT LIKE 'sqlite%'").fetchone()[0]
    columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
    template = dict(zip(columns, db.execute(f"SELECT * FROM {table}").fetchone()))
    rows = []
    for _ in range(count - 1):
        row = dict(template)
        row["id"] = str(uuid.uuid4()).upper()
        rows.append(tuple(row[c] for c in columns))
    marks = ",".join("?" * len(columns))
    db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    db.commit()
    db.close()


def human(size):
    return f"{size // GIB} GiB" if size >= GIB else f"{size // MIB} MiB"


# ---------------------------------------------------------------- report


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    curl = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return cpu, os.cpu_count(), curl, commit


def cache_sizes():
    """(L2 of one core, L3 of the first core's cluster) as Linux reports them, e.g. "1 MiB"; None if unknown."""
    found = {}
    base = "/sys/devices/system/cpu/cpu0/cache"
    for index in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        try:
            level = open(f"{base}/{index}/level").read().strip()
            kind = open(f"{base}/{index}/type").read().strip()
            size = open(f"{base}/{index}/size").read().strip()
        except OSError:
            continue
        if kind in ("Unified", "Data") and level in ("2", "3"):
            kib = int(size.rstrip("K"))
            found[level] = f"{kib // 1024} MiB" if kib % 1024 == 0 else f"{kib} KiB"
    return found.get("2"), found.get("3")


def cpu_kind():
    """The heading of this machine's table: a tuning can win on one kind and lose on another."""
    cpu, cores, _, _ = machine()
    l2, l3 = cache_sizes()
    caches = f"L2 {l2} per core · L3 {l3}" if l2 and l3 else "caches not read"
    return f"{cpu} · {cores} cores · {caches}"


def measured_on():
    """When a row was measured: rows of several runs share a table."""
    return datetime.date.today().isoformat()


def table(rows):
    lines = ["| # | measure | mediaup | baseline | result | goal | measured on | met |",
             "|---|---|---|---|---|---|---|---|"]
    for number, measure, ours, theirs, result, goal, when, met in sorted(rows):
        lines.append(f"| {number} | {measure} | {ours} | {theirs} | {result} | {goal} | {when} | {'yes' if met else '**no**'} |")
    return "\n".join(lines)


def earlier_rows(text):
    """The rows of a table in an earlier RESULTS.md, as table() takes them."""
    rows = []
    for line in text.split("\n"):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0].isdigit() and len(cells) == 8:
            rows.append((int(cells[0]), *cells[1:7], cells[7] == "yes"))
    return rows


CPU_HEADING = "## CPU: "
INTRO = """# Benchmark results

`make bench` keeps one table per kind of CPU it has run on (model, cores, caches): a
tuning that wins on one can lose on another (these machines are sometimes an AMD EPYC,
sometimes an Intel Xeon). A full run replaces its CPU's table; `BENCH_ONLY` replaces
those rows of it. The goals are the same on every CPU. "Before and after", written by
hand, records what profiling found and what each change did, with the CPU it was
measured on.
"""


def cpu_sections(text):
    """{heading: body} of the per-CPU tables in an earlier RESULTS.md. A file from before
    there were such tables holds one table whose "measured on" cells name the CPU: its
    rows go to a table per CPU, headed without caches (they were not read then)."""
    before = text.split(HISTORY_HEADING)[0]
    sections = {}
    if CPU_HEADING in before:
        for part in before.split(CPU_HEADING)[1:]:
            heading, _, body = part.partition("\n")
            sections[heading.strip()] = body.strip()
        return sections
    by_cpu = {}
    for line in before.split("\n"):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0].isdigit() and len(cells) == 8 and ", " in cells[6]:
            date, cpu = cells[6].split(", ", 1)
            by_cpu.setdefault(cpu, []).append((int(cells[0]), *cells[1:6], date, cells[7] == "yes"))
    cores = re.search(r"^Machine: [^,]+, (\d+) cores", before, re.M)
    for cpu, rows in by_cpu.items():
        heading = f"{cpu} · {cores.group(1) if cores else '?'} cores · caches not read"
        sections[heading] = "Rows carried over from the single table this file held before.\n\n" + table(rows)
    return sections


def write_results(path, rows, seconds, smoke, partial):
    cpu, cores, curl, commit = machine()
    kind = cpu_kind()
    history = ""
    sections = {}
    if os.path.exists(path) and not smoke:
        text = open(path).read()
        if HISTORY_HEADING in text:
            history = text[text.index(HISTORY_HEADING):]
        sections = cpu_sections(text)
    kept = []
    if partial and kind in sections:
        measured = {row[0] for row in rows}
        kept = [row for row in earlier_rows(sections[kind]) if row[0] not in measured]
    if not partial:
        # A full run stands for this CPU, and for tables of its model whose caches were not read.
        model = kind.split(" · ")[0]
        sections = {h: b for h, b in sections.items() if not (h.startswith(model + " · ") and h.endswith("caches not read"))}
    numbers = ", ".join(str(row[0]) for row in sorted(rows))
    sections[kind] = "\n".join([
        f"Written by `make bench` on {datetime.date.today().isoformat()}"
        f"{' (smoke run: toy sizes, numbers mean nothing)' if smoke else ''}"
        f"{f' (BENCH_ONLY={numbers}; the other rows are from earlier runs on this CPU)' if kept else ''}.",
        f"{platform.system()} {platform.release()}; {curl}; mediaup {commit or '?'}.",
        f"Each figure is the median of the runs; both sides ran alternately in one run; {seconds:.0f} s in all.",
        "",
        table(rows + kept),
    ])
    # This machine's table first, then the others as they were.
    ordered = [kind] + [h for h in sections if h != kind]
    body = [INTRO] + [f"{CPU_HEADING}{h}\n\n{sections[h]}\n" for h in ordered]
    with open(path, "w") as f:
        f.write("\n".join(body) + ("\n" + history if history else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True, help="the mediaup binary (a release build)")
    parser.add_argument("--out", default="bench/RESULTS.md")
    parser.add_argument("--smoke", action="store_true", help="toy sizes, one run each")
    parser.add_argument("--only", default="", help="comma-separated comparison numbers, e.g. 1,3")
    parser.add_argument("--ffmpeg", help="the ffmpeg that comparison 10 probes with (default: ffprobe or ffmpeg on PATH)")
    args = parser.parse_args()
    for tool in ("curl", "bash"):
        if shutil.which(tool) is None:
            sys.exit(f"bench: {tool} is not installed (make setup installs curl)")
    binary = os.path.abspath(args.bin)
    work = tempfile.mkdtemp(prefix="mediaup-bench-")
    bench = Bench(binary, work, Sizes(args.smoke), args.ffmpeg)
    steps = {1: bench.single_stream, 2: bench.eight_streams, 3: bench.memory, 4: bench.screen_cpu,
             5: bench.big_folder, 6: bench.big_journal, 7: bench.interrupted, 8: bench.catalogue,
             10: bench.check_media}
    chosen = [int(n) for n in args.only.split(",") if n] or sorted(steps)
    start = time.perf_counter()
    try:
        for number in chosen:
            if number == 9:
                number = 7  # 7 and 9 are measured by the same interrupted runs
            if number in steps:
                print(f"comparison {number}…", flush=True)
                steps.pop(number)()
    except Failure as failure:
        print(f"bench: {failure}", file=sys.stderr)
        sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - start
    print()
    print(table(bench.rows))
    write_results(args.out, bench.rows, seconds, args.smoke, bool(args.only))
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
