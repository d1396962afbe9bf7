# test_demos.py — the Python demos in demos/python, run as a user would,
# watched and steered by libvncclient (tests/gi-viewer.c).
#
# Each demo runs in a process of its own on 127.0.0.1 and a free port; it
# must serve the scene, do what it is there to show, and stop cleanly on
# Ctrl-C.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import signal
import subprocess
import sys
import time
import unittest

import vnctest
from vnctest import TIMEOUT, Reader, Viewer, rgb_at

GREEN = (0, 255, 0)
BLUE = (0, 0, 255)


class Demo:
    """A demo program, serving until stopped."""

    def __init__(self, name):
        script = os.path.join(os.environ['CAIROVNC_PYTHON_DEMOS'], name)
        self.proc = subprocess.Popen([sys.executable, script, '--host', '127.0.0.1', '--port', '0',
                                      '--seconds', '120'], stdout=subprocess.PIPE)
        self.reader = Reader(self.proc.stdout)
        line = self.wait_line('Serving on port')
        self.port = int(re.search(r'Serving on port (\d+)', line).group(1))

    def wait_line(self, text):
        """The first line of the demo's output that contains text."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            line = self.reader.readline(deadline)
            if text in line:
                return line

    def stop(self):
        """Ctrl-C; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode


class DemoTestCase(unittest.TestCase):
    name = None

    def setUp(self):
        self.demo = Demo(self.name)
        self.viewers = []

    def tearDown(self):
        for viewer in self.viewers:
            viewer.close()
        self.demo.stop()

    def connect(self, password=None):
        viewer = Viewer(self.demo.port, 'zrle', password)
        self.viewers.append(viewer)
        return viewer

    def assert_stops_cleanly(self):
        for viewer in self.viewers:
            viewer.close()
        self.viewers = []
        self.assertEqual(self.demo.stop(), 0)


class TestAnimation(DemoTestCase):
    name = 'animation.py'

    def test_demo_animation_serves_moving_scene(self):
        viewer = self.connect()
        self.assertTrue(viewer.connected)
        width, height, first = viewer.first_frame()
        self.assertEqual((width, height), (200, 200))
        self.assertIn(rgb_at(width, first, 199, 199), [(127, 127, 127), (128, 128, 128)])
        self.assertEqual(rgb_at(width, first, 70, 10), GREEN)
        _, _, later = viewer.wait_for(lambda w, h, pixels: pixels != first)
        self.assertNotEqual(later, first, 'the animation did not move')
        self.assert_stops_cleanly()


class TestInput(DemoTestCase):
    name = 'input.py'

    def test_demo_input_click_recolours_square_and_prints_keys(self):
        viewer = self.connect()
        self.assertTrue(viewer.connected)
        width, _, pixels = viewer.first_frame()
        self.assertEqual(rgb_at(width, pixels, 70, 10), GREEN)
        # Button 2 (mask 2, button 1) turns the green square to the next colour.
        viewer.pointer(150, 150, 2)
        viewer.pointer(150, 150, 0)
        width, _, pixels = viewer.wait_for(lambda w, h, pixels: rgb_at(w, pixels, 70, 10) == BLUE)
        self.assertEqual(rgb_at(width, pixels, 70, 10), BLUE)
        viewer.key(0x61, True)
        self.assertIn('down=True', self.demo.wait_line('keysym=97'))
        self.assert_stops_cleanly()


class TestPassword(DemoTestCase):
    name = 'password.py'

    def test_demo_password_lets_in_only_with_a_password(self):
        self.assertFalse(self.connect('wrong').connected)
        watcher = self.connect('readonly')
        self.assertTrue(watcher.connected)
        self.assertIn(watcher.first_frame()[0], (200, 220))
        watcher.close()
        controller = self.connect('password')
        self.assertTrue(controller.connected)
        controller.key(0x62, True)
        self.assertIn('keysym=98', self.demo.wait_line('keysym='))
        self.assert_stops_cleanly()


class TestNewSurface(DemoTestCase):
    name = 'new_surface.py'

    def test_demo_new_surface_resizes_viewers(self):
        viewer = self.connect()
        self.assertTrue(viewer.connected)
        widths = set()
        deadline = time.monotonic() + TIMEOUT
        while widths != {200, 220} and time.monotonic() < deadline:
            widths.add(viewer.frame()[0])
        self.assertEqual(widths, {200, 220})
        self.assertGreaterEqual(viewer.resizes, 1)
        self.assert_stops_cleanly()


if __name__ == '__main__':
    vnctest.run(sys.modules[__name__])
