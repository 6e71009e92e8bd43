#!/usr/bin/env python3
"""How much larger ISA-L's fast gzip levels write than zlib's default (level 6, what Express's
compression uses), on text of the kinds a web server sends: the one encoder fast enough for W0z's
8x Node target (docs/PERFORMANCE.md, "W0z") against the size users of Express get.

    bench/gzip_sizes.py [FILES_PER_KIND]        (default 60; needs Debian's `isal` for igzip)

Files between 1 KiB and 200 KiB, drawn with a fixed seed from the compatibility tests'
node_modules (json, js, md, css) and /usr/share/doc (html). Sizes are of the deflate stream
alone: the gzip header and trailer (igzip's, with no file name when reading stdin) and zlib's
2-byte header and 4-byte trailer are taken off, so the two encoders are compared like for like.
"""
import os, random, shutil, subprocess, sys, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PER_KIND = int(sys.argv[1]) if len(sys.argv) > 1 else 60
KINDS = {"json": [os.path.join(ROOT, "tests", "compat", "node_modules")],
         "js": [os.path.join(ROOT, "tests", "compat", "node_modules")],
         "md": [os.path.join(ROOT, "tests", "compat", "node_modules")],
         "css": [os.path.join(ROOT, "tests", "compat", "node_modules")],
         "html": ["/usr/share/doc"]}
GZIP_FRAME = 10 + 8  # header without a name, CRC-32 and size
ZLIB_FRAME = 2 + 4   # header, Adler-32


def files_of(kind, roots):
    found = []
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                if name.endswith("." + kind) and os.path.isfile(path) and 1024 <= os.path.getsize(path) <= 200_000:
                    found.append(path)
    return sorted(found)


def igzip(data, level):
    return len(subprocess.run(["igzip", f"-{level}", "-c"], input=data, capture_output=True, check=True).stdout) - GZIP_FRAME


def main():
    if not shutil.which("igzip"):
        sys.exit("igzip not found: apt-get install isal")
    rng = random.Random(1)
    print(f"| kind | files | bytes | zlib 6 | igzip 1 | igzip 2 |")
    print(f"|---|---:|---:|---:|---:|---:|")
    for kind, roots in KINDS.items():
        candidates = files_of(kind, roots)
        if not candidates:
            continue
        sample = rng.sample(candidates, min(PER_KIND, len(candidates)))
        raw = z6 = i1 = i2 = 0
        for path in sample:
            data = open(path, "rb").read()
            raw += len(data)
            z6 += len(zlib.compress(data, 6)) - ZLIB_FRAME
            i1 += igzip(data, 1)
            i2 += igzip(data, 2)
        print(f"| {kind} | {len(sample)} | {raw:,} | {z6:,} | {i1:,} ({i1 / z6 - 1:+.1%}) | {i2:,} ({i2 / z6 - 1:+.1%}) |")


if __name__ == "__main__":
    main()
