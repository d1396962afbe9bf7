# vnctest.py — what the Python tests share: the libvncclient viewer of
# tests/gi-viewer.c on a pipe, pixel comparison with a pycairo surface,
# and a unittest runner that ends with Check's summary line, which
# tests/run.sh counts.
#
# Every wait has a deadline; the programs run by a test are killed when
# it ends. Meson's test environment names the viewer (CAIROVNC_GI_VIEWER)
# and puts the uninstalled typelib, library and override on the paths.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import select
import subprocess
import sys
import time
import unittest

import gi

gi.require_version('CairoVnc', '1.0')
gi.require_foreign('cairo')
from gi.repository import CairoVnc  # noqa: E402

# Deadline for anything a test waits for, in seconds.
TIMEOUT = 10.0


class Reader:
    """Reads a pipe with deadlines."""

    def __init__(self, pipe):
        self.pipe = pipe
        self.buffer = bytearray()

    def _fill(self, deadline):
        """Adds what comes next to the buffer."""
        fd = self.pipe.fileno()
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError('nothing came in time')
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise EOFError('the pipe was closed')
            self.buffer += chunk

    def read(self, n, deadline):
        while len(self.buffer) < n:
            self._fill(deadline)
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def readline(self, deadline):
        while b'\n' not in self.buffer:
            self._fill(deadline)
        end = self.buffer.index(b'\n') + 1
        return self.read(end, deadline).decode('utf-8').rstrip('\n')


class Viewer:
    """A libvncclient viewer in a process of its own."""

    def __init__(self, port, encodings='raw', password=None):
        args = [os.environ['CAIROVNC_GI_VIEWER'], str(port), encodings]
        if password is not None:
            args.append(password)
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.reader = Reader(self.proc.stdout)
        self.width = self.height = 0
        words = self._readline().split()
        self.connected = words[0] == 'connected'
        if self.connected:
            self.width, self.height = int(words[1]), int(words[2])

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b'quit\n')
                self.proc.stdin.flush()
                self.proc.wait(TIMEOUT)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()

    def _readline(self):
        return self.reader.readline(time.monotonic() + TIMEOUT)

    def _command(self, line):
        self.proc.stdin.write(line.encode('utf-8') + b'\n')
        self.proc.stdin.flush()
        return self._readline()

    def frame(self, wait=0.2):
        """Waits up to wait seconds for an update; returns the framebuffer
        as (width, height, pixels: B, G, R, 0 a pixel)."""
        words = self._command('update %d' % int(wait * 1000)).split()
        if words[0] != 'frame':
            raise AssertionError('unexpected answer from the viewer: %r' % words)
        self.width, self.height = int(words[1]), int(words[2])
        self.updates, self.resizes = int(words[3]), int(words[4])
        pixels = self.reader.read(self.width * self.height * 4, time.monotonic() + TIMEOUT)
        return self.width, self.height, pixels

    def wait_for(self, matches, timeout=TIMEOUT):
        """Takes updates until matches(width, height, pixels) is true or
        the timeout passes; returns the last framebuffer."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.frame()
            if matches(*frame) or time.monotonic() > deadline:
                return frame

    def first_frame(self):
        """The framebuffer once pixels have come: the first update may
        carry only the screen layout (ExtendedDesktopSize)."""
        return self.wait_for(lambda width, height, pixels: pixels.count(0) < len(pixels))

    def pointer(self, x, y, mask):
        assert self._command('pointer %d %d %d' % (x, y, mask)) == 'ok'

    def key(self, keysym, down):
        assert self._command('key %d %d' % (keysym, 1 if down else 0)) == 'ok'

    def name(self):
        return self._command('name')[len('name '):]


def rgb_at(width, pixels, x, y):
    """The viewer's pixel at (x, y) as (r, g, b)."""
    offset = (y * width + x) * 4
    b, g, r = pixels[offset:offset + 3]
    return r, g, b


def differences(surface, width, height, pixels):
    """How many pixels of the viewer's framebuffer differ from the surface
    (ARGB32 as composited over black, so premultiplied colour as it is),
    and the first of them; None when the sizes differ."""
    surface.flush()
    w, h, stride = surface.get_width(), surface.get_height(), surface.get_stride()
    if (w, h) != (width, height):
        return None, None
    data = bytes(surface.get_data())
    bad, first = 0, None
    for y in range(h):
        row = data[y * stride:y * stride + w * 4]
        seen = pixels[y * w * 4:(y + 1) * w * 4]
        if all(row[c::4] == seen[c::4] for c in range(3)):
            continue
        for x in range(w):
            if row[x * 4:x * 4 + 3] != seen[x * 4:x * 4 + 3]:
                bad += 1
                if first is None:
                    first = (x, y)
    return bad, first


def run(module):
    """Runs the module's tests and prints Check's summary line; exits
    non-zero unless every test passed."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    checks = result.testsRun
    failures = len(result.failures) + len(result.unexpectedSuccesses)
    errors = len(result.errors) + (0 if checks else 1)
    checks = max(checks, 1)
    passed = checks - failures - errors
    print('%d%%: Checks: %d, Failures: %d, Errors: %d'
          % (passed * 100 // checks, checks, failures, errors))
    sys.stdout.flush()
    sys.exit(0 if failures == 0 and errors == 0 else 1)
