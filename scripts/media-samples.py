#!/usr/bin/env python3
"""Writes demo files of realistic sizes into OUTDIR, built from the small media corpus
(Tests/Fixtures/media) so that what is inside them is real: WhatsApp takes some, warns
about one and refuses others, as `mediaup check` and the Files pane show.

    python3 scripts/media-samples.py OUTDIR                          # the demo set below
    python3 scripts/media-samples.py OUTDIR NAME=SOURCE:BYTES ...    # only these
(SOURCE a corpus file name, or `pdf` or `mov` for a file that is only a header and
random bytes; BYTES empty keeps the source's size.)

Each file is a corpus file made bigger without changing what it is: a `free` box after
an MP4's last box, bytes after a PNG's IEND chunk; or a PDF, or a QuickTime movie
(a type WhatsApp does not take), that is a header and random bytes. A file already there
with the right size and first bytes is left alone, so running it twice writes nothing.
Needs only Python's standard library; writes in 1 MB steps.
"""
import os
import sys

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "media")

# Sources that are only a header: nothing reads further into these types.
HEADERS = {"pdf": b"%PDF-1.7\n", "mov": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00"}

# name: (source, size in bytes; None keeps the source's size)
DEFAULT = {
    "poster.png": ("image-rgb.png", 3_000_000),
    "promo.mp4": ("video-h264-main-aac.mp4", 12_000_000),
    "interview-high.mp4": ("video-h264-high.mp4", 6_000_000),
    "clip-hevc.mp4": ("video-hevc.mp4", 8_000_000),
    "voice.ogg": ("audio-opus-mono.ogg", None),
    "soundtrack.ogg": ("audio-vorbis.ogg", None),
    "brochure.pdf": ("pdf", 24_000_000),
    "teaser.mov": ("mov", 2_000_000),
}

STEP = 1 << 20


def head_of(source):
    if source in HEADERS:
        return HEADERS[source]
    with open(os.path.join(CORPUS, source), "rb") as f:
        return f.read()


def padding(source, head, size):
    """How the file grows: (bytes between the head and the filler, filler length)."""
    room = size - len(head)
    if source in HEADERS or source.endswith(".png"):
        return b"", room
    if source.endswith(".mp4"):
        # A top-level `free` box of the remaining size: readers skip it.
        return room.to_bytes(4, "big") + b"free", room - 8
    raise ValueError(f"{source}: no way to make it bigger")


def write(path, source, size):
    head = head_of(source)
    if size is None or size <= len(head):
        size = len(head)
    if os.path.isfile(path) and os.path.getsize(path) == size:
        with open(path, "rb") as f:
            if f.read(len(head)) == head:
                return False
    partial = path + ".partial"
    with open(partial, "wb") as f:
        f.write(head)
        if size > len(head):
            prefix, filler = padding(source, head, size)
            f.write(prefix)
            while filler > 0:
                step = min(STEP, filler)
                f.write(os.urandom(step))
                filler -= step
    os.replace(partial, path)
    return True


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = argv[1]
    wanted = {} if argv[2:] else dict(DEFAULT)
    for spec in argv[2:]:
        name, _, rest = spec.partition("=")
        source, _, size = rest.partition(":")
        wanted[name] = (source, int(size) if size else None)
    os.makedirs(out, exist_ok=True)
    for name, (source, size) in wanted.items():
        if write(os.path.join(out, name), source, size):
            print(f"media-samples: {os.path.join(out, name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
