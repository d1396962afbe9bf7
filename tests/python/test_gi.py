# test_gi.py — cairovnc from Python through GObject Introspection.
#
# A Python program serves pycairo surfaces on 127.0.0.1; libvncclient
# (tests/gi-viewer.c) decodes them, and what it sees is compared with the
# surface pixel for pixel. The viewer's pointer and keys come back to
# Python as CairoVnc.Event; a new surface handed over from Python resizes
# the viewer.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import random
import sys
import threading
import time
import unittest

import cairo

import vnctest
from vnctest import TIMEOUT, CairoVnc, Viewer, differences, rgb_at
from gi.repository import GLib


def draw_scene(surface, seed):
    """A picture no two seeds share: a gradient, translucent shapes, and a
    patch of noise written straight into the pixels."""
    rng = random.Random(seed)
    width, height = surface.get_width(), surface.get_height()
    context = cairo.Context(surface)
    gradient = cairo.LinearGradient(0, 0, width, height)
    gradient.add_color_stop_rgb(0, rng.random(), rng.random(), rng.random())
    gradient.add_color_stop_rgb(1, rng.random(), rng.random(), rng.random())
    context.set_source(gradient)
    context.paint()
    for _ in range(10):
        context.set_source_rgba(rng.random(), rng.random(), rng.random(), 0.3 + 0.7 * rng.random())
        context.rectangle(rng.uniform(-10, width), rng.uniform(-10, height),
                          rng.uniform(5, width / 2), rng.uniform(5, height / 2))
        context.fill()
    context.set_line_width(3)
    context.set_source_rgb(1, 1, 1)
    context.arc(width / 2, height / 2, min(width, height) / 3, 0, 6.28)
    context.stroke()
    surface.flush()
    data, stride = surface.get_data(), surface.get_stride()
    x0, y0 = rng.randrange(width - 16), rng.randrange(height - 16)
    for y in range(y0, y0 + 16):
        for x in range(x0, x0 + 16):
            offset = y * stride + x * 4
            data[offset:offset + 4] = bytes([rng.randrange(256) for _ in range(3)] + [255])
    surface.mark_dirty()


def matches(surface):
    return lambda width, height, pixels: differences(surface, width, height, pixels)[0] == 0


class ServerTestCase(unittest.TestCase):
    """A server for a 160x120 pycairo surface, given without a lock, on
    127.0.0.1 on its own thread; input on."""

    def setUp(self):
        self.surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, 160, 120)
        draw_scene(self.surface, 1)
        self.server = CairoVnc.Server.new(self.surface, None)
        self.server.props.host = '127.0.0.1'
        self.server.props.port = 0
        self.server.props.read_only = False
        self.server.start_thread()
        self.viewers = []

    def tearDown(self):
        for viewer in self.viewers:
            viewer.close()
        self.server.stop()

    def connect(self, encodings='raw'):
        viewer = Viewer(self.server.get_port(), encodings)
        self.viewers.append(viewer)
        self.assertTrue(viewer.connected, 'the server refused the viewer')
        return viewer

    def assert_shows(self, viewer, surface, what):
        width, height, pixels = viewer.wait_for(matches(surface))
        bad, first = differences(surface, width, height, pixels)
        self.assertIsNotNone(bad, '%s: the viewer is %dx%d, the surface %dx%d'
                             % (what, width, height, surface.get_width(), surface.get_height()))
        self.assertEqual(bad, 0, '%s: %d pixels differ, the first at %s' % (what, bad, first))

    def take_events(self, n):
        events = []
        deadline = time.monotonic() + TIMEOUT
        while len(events) < n and time.monotonic() < deadline:
            event = self.server.get_event(0.1)
            if event is not None:
                events.append(event)
        self.assertEqual(len(events), n, 'events: %r' % events)
        return events


class TestPixels(ServerTestCase):
    def test_gi_pycairo_surface_decoded_pixel_exact(self):
        viewer = self.connect()
        self.assertEqual((viewer.width, viewer.height), (160, 120))
        self.assert_shows(viewer, self.surface, 'raw')

    def test_gi_pycairo_surface_pixel_exact_in_every_lossless_encoding(self):
        self.server.props.max_clients = 0
        for encodings in ('zrle', 'zlib', 'hextile', 'rre', 'corre'):
            viewer = self.connect(encodings)
            self.assert_shows(viewer, self.surface, encodings)

    def test_gi_redraw_under_surface_lock_reaches_viewer(self):
        viewer = self.connect('zrle')
        self.assert_shows(viewer, self.surface, 'first frame')
        with self.server.surface_locked():
            draw_scene(self.surface, 2)
        self.server.frame_ready()
        self.assert_shows(viewer, self.surface, 'after surface_locked()')
        self.server.lock_surface()
        try:
            draw_scene(self.surface, 3)
        finally:
            self.server.unlock_surface()
        self.server.frame_ready()
        self.assert_shows(viewer, self.surface, 'after lock_surface()')

    def test_gi_surface_lock_keeps_half_frames_from_viewers(self):
        viewer = self.connect()
        self.assert_shows(viewer, self.surface, 'first frame')
        red = (255, 0, 0)
        seen = []
        with self.server.surface_locked():
            # Half a frame, announced: the server must wait for the lock.
            context = cairo.Context(self.surface)
            context.set_source_rgb(1, 0, 0)
            context.paint()
            self.server.frame_ready()
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline:
                width, _, pixels = viewer.frame(0.1)
                seen.append(rgb_at(width, pixels, 80, 60))
            context.set_source_rgb(0, 0, 1)
            context.paint()
        self.server.frame_ready()
        self.assert_shows(viewer, self.surface, 'the whole frame')
        self.assertNotIn(red, seen, 'the viewer saw a frame drawn under the lock')


class TestEvents(ServerTestCase):
    def test_gi_pointer_events_arrive_with_fields(self):
        viewer = self.connect()
        viewer.pointer(30, 40, 0)
        viewer.pointer(30, 40, 1)
        viewer.pointer(31, 42, 1)
        viewer.pointer(31, 42, 0)
        viewer.pointer(31, 42, 8)       # wheel up: press
        viewer.pointer(31, 42, 0)       # and release, which is silent
        viewer.pointer(31, 42, 0x20)    # wheel left
        move, down, drag, up, scroll_up, scroll_left = self.take_events(6)

        for event in (move, down, drag, up, scroll_up, scroll_left):
            self.assertIsInstance(event, CairoVnc.Event)
            self.assertEqual(event.client_id, 1)
            self.assertGreater(event.timestamp_us, 0)
        self.assertEqual((move.type, move.name, move.x, move.y, move.buttons),
                         (CairoVnc.EventType.MOVE, 'move', 30, 40, 0))
        self.assertEqual((down.type, down.name, down.x, down.y, down.button, down.down),
                         (CairoVnc.EventType.CLICK, 'click', 30, 40, 0, True))
        self.assertEqual((drag.type, drag.x, drag.y, drag.buttons), (CairoVnc.EventType.MOVE, 31, 42, 1))
        self.assertEqual((up.type, up.button, up.down), (CairoVnc.EventType.CLICK, 0, False))
        self.assertEqual((scroll_up.type, scroll_up.name, scroll_up.x, scroll_up.y, scroll_up.dx, scroll_up.dy),
                         (CairoVnc.EventType.SCROLL, 'scroll', 31, 42, 0, 1))
        self.assertEqual((scroll_left.dx, scroll_left.dy), (-1, 0))
        self.assertLessEqual(move.timestamp_us, scroll_left.timestamp_us)

    def test_gi_key_events_arrive_with_fields(self):
        viewer = self.connect()
        viewer.key(0x61, True)
        viewer.key(0x61, False)
        viewer.key(0xff0d, True)
        a_down, a_up, enter = self.take_events(3)
        self.assertEqual((a_down.type, a_down.name, a_down.keysym, a_down.down),
                         (CairoVnc.EventType.KEY, 'key', 0x61, True))
        self.assertEqual((a_up.keysym, a_up.down), (0x61, False))
        self.assertEqual((enter.keysym, enter.down), (0xff0d, True))
        # Fields a key does not use are zero.
        self.assertEqual((a_down.x, a_down.y, a_down.button, a_down.text), (0, 0, 0, None))
        self.assertIn("keysym=97", repr(a_down))

    def test_gi_waiting_for_no_event_times_out(self):
        self.connect()
        start = time.monotonic()
        self.assertIsNone(self.server.get_event(0.2))
        self.assertIsNone(self.server.pop_event(0))
        self.assertGreaterEqual(time.monotonic() - start, 0.15)

    def test_gi_events_wait_on_another_thread(self):
        # pop_event() blocks without holding Python's lock: the viewer is
        # driven from this thread while another waits.
        viewer = self.connect()
        got = []
        waiter = threading.Thread(target=lambda: got.append(self.server.pop_event(int(TIMEOUT * 1e6))))
        waiter.start()
        viewer.key(0x62, True)
        waiter.join(TIMEOUT + 1)
        self.assertFalse(waiter.is_alive())
        self.assertEqual([(e.type, e.keysym) for e in got], [(CairoVnc.EventType.KEY, 0x62)])

    def test_gi_read_only_server_gives_no_events(self):
        self.server.props.read_only = True
        viewer = self.connect()
        viewer.pointer(5, 5, 1)
        viewer.key(0x61, True)
        viewer.frame(0.2)
        self.assertIsNone(self.server.get_event(0.3))


class TestSurfaces(ServerTestCase):
    def test_gi_set_surface_resizes_viewer(self):
        viewer = self.connect()
        self.assert_shows(viewer, self.surface, 'first surface')
        bigger = cairo.ImageSurface(cairo.FORMAT_ARGB32, 200, 150)
        draw_scene(bigger, 5)
        self.server.set_surface(bigger, None)
        self.assert_shows(viewer, bigger, 'a bigger ARGB32 surface')
        self.assertGreaterEqual(viewer.resizes, 1)
        smaller = cairo.ImageSurface(cairo.FORMAT_RGB24, 90, 70)
        draw_scene(smaller, 6)
        self.server.set_surface(smaller, None)
        self.assert_shows(viewer, smaller, 'a smaller RGB24 surface')
        self.assertGreaterEqual(viewer.resizes, 2)

    def test_gi_unservable_surfaces_raise_glib_error(self):
        alpha_only = cairo.ImageSurface(cairo.FORMAT_A8, 10, 10)
        with self.assertRaises(GLib.Error) as caught:
            self.server.try_set_surface(alpha_only, None)
        self.assertTrue(caught.exception.matches(CairoVnc.error_quark(), CairoVnc.Error.UNSUPPORTED_SURFACE))
        with self.assertRaises(GLib.Error) as caught:
            CairoVnc.Server.new(alpha_only, None).start_thread()
        self.assertEqual(caught.exception.code, CairoVnc.Error.UNSUPPORTED_SURFACE)
        with self.assertRaises(GLib.Error) as caught:
            self.server.start_thread()
        self.assertEqual(caught.exception.code, CairoVnc.Error.RUNNING)
        # The first surface is still served.
        self.assert_shows(self.connect(), self.surface, 'after the refusals')


class TestObject(unittest.TestCase):
    def test_gi_properties_from_keywords_reach_the_wire(self):
        server = CairoVnc.Server(host='127.0.0.1', port=0, desktop_name='Python \u2603',
                                 max_clients=1)
        with self.assertRaises(GLib.Error) as caught:
            server.start_thread()
        self.assertIn('no surface', caught.exception.message)
        surface = cairo.ImageSurface(cairo.FORMAT_RGB24, 64, 48)
        draw_scene(surface, 7)
        server.set_surface(surface)
        server.start_thread()
        viewers = []
        try:
            self.assertTrue(server.is_running())
            self.assertEqual(server.props.port, 0)
            self.assertGreater(server.get_port(), 0)
            viewers.append(Viewer(server.get_port()))
            self.assertTrue(viewers[0].connected)
            self.assertEqual(viewers[0].name(), 'Python \u2603')
            self.assertEqual(server.dup_desktop_name(), 'Python \u2603')
            self.assertEqual(server.get_n_clients(), 1)
            # max-clients 1: the second is refused.
            viewers.append(Viewer(server.get_port()))
            self.assertFalse(viewers[1].connected)
        finally:
            for viewer in viewers:
                viewer.close()
            server.stop()
        self.assertFalse(server.is_running())
        self.assertEqual(server.get_port(), 0)

    def test_gi_update_sent_signal_reaches_python(self):
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, 32, 32)
        draw_scene(surface, 8)
        server = CairoVnc.Server.new(surface, None)
        server.props.host = '127.0.0.1'
        server.props.port = 0
        sent = []
        server.connect('update-sent', lambda _server, *args: sent.append(args))
        server.start_thread()
        viewer = Viewer(server.get_port(), 'hextile')
        try:
            viewer.wait_for(matches(surface))
            deadline = time.monotonic() + TIMEOUT
            while not sent and time.monotonic() < deadline:
                time.sleep(0.01)
        finally:
            viewer.close()
            server.stop()
        self.assertTrue(sent, 'no update-sent signal')
        client_id, encoding, rectangles, size = sent[0]
        self.assertEqual((client_id, encoding), (1, 'Hextile'))
        self.assertGreaterEqual(rectangles, 1)
        self.assertGreater(size, 0)


if __name__ == '__main__':
    vnctest.run(sys.modules[__name__])
