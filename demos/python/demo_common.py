"""What the Python demos share: the scene of the Python CairoVNC examples
(a white bezier with its control lines and three squares on grey, in a unit
square stretched over the surface), command-line options, and serving until
Ctrl-C or --seconds.

The demos run against the built library through GObject Introspection:
demos/python/run.sh sets up the paths, or see the README.

SPDX-License-Identifier: LGPL-2.1-or-later
"""

import argparse
import math
import signal
import sys
import threading
import time

import cairo
import gi

gi.require_version('CairoVnc', '1.0')
gi.require_foreign('cairo')
from gi.repository import CairoVnc  # noqa: E402,F401  (for the demos)


class Screen(object):
    """The animated scene, drawn into a pycairo surface; 200x200 to start."""
    animation_period = 0.1
    colour_cycling = [
        (1, 0, 0),
        (0, 1, 0),
        (0, 0, 1),
        (1, 1, 0),
        (0, 1, 1),
        (1, 0, 1),
    ]

    def __init__(self):
        self.width = 200
        self.height = 200
        self.seq = 0
        self.square_indexes = [0, 1, 2]
        # Control point 2, in pixels; the input demo moves it.
        self.ctrlx = 0.6 * self.width
        self.ctrly = 0.1 * self.height
        self.server = None
        self.setup_surface()
        self.draw()

    def setup_surface(self):
        self.surface = cairo.ImageSurface(cairo.Format.ARGB32, self.width, self.height)
        self.context = cairo.Context(self.surface)

    def resize_when_due(self):
        """Once every 20 frames the surface is 20 pixels wider, or back;
        returns whether there is a new one."""
        if self.seq % 20:
            return False
        if int(self.seq / 20) % 2:
            self.width = self.width + 20
        else:
            self.width = self.width - 20
        self.setup_surface()
        return True

    def draw_locked(self):
        """Draws the next frame under the server's surface lock, so that
        viewers see it whole, on a new surface when one is due; then tells
        the server the frame is ready."""
        with self.server.surface_locked():
            # Once every 20 frames we resize the surface
            if self.resize_when_due():
                self.server.set_surface(self.surface, None)
            self.draw()
        self.server.frame_ready()

    def draw(self):
        self.context.set_source_rgb(0.5, 0.5, 0.5)
        self.context.rectangle(0, 0, self.width, self.height)
        self.context.fill()

        self.context.set_source_rgb(1, 1, 1)

        delta = math.cos(self.seq * math.pi / 10)

        x, y, x1, y1 = 0.1, 0.5, 0.4, 0.5 + delta * 0.4
        x2, y2, x3, y3 = float(self.ctrlx) / self.width, float(self.ctrly) / self.height, 0.9, 0.5
        self.context.save()
        self.context.scale(self.width, self.height)

        # Bezier curve
        self.context.set_line_width(0.04)
        self.context.move_to(x, y)
        self.context.curve_to(x1, y1, x2, y2, x3, y3)
        self.context.stroke()

        # Control points
        self.context.set_source_rgba(1, 0.2, 0.2, 0.6)
        self.context.set_line_width(0.02)
        self.context.move_to(x, y)
        self.context.line_to(x1, y1)
        self.context.move_to(x2, y2)
        self.context.line_to(x3, y3)
        self.context.stroke()

        # Red, green and blue squares (which can cycle colours); the first bounces
        for square, left in enumerate((0.1, 0.3, 0.5)):
            self.context.set_source_rgb(*self.colour_cycling[self.square_indexes[square]])
            self.context.rectangle(left, delta * 0.05 if square == 0 else 0, 0.1, 0.1)
            self.context.fill()
        self.context.restore()


def parse_args(description):
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--port', '-p', type=int, default=5902,
                        help='TCP port to listen on; display :N is port 5900+N (default 5902)')
    parser.add_argument('--host', help='address or host name to listen on (default: every address)')
    parser.add_argument('--verbose', '-v', action='store_true',
                        help='log what each viewer asks for and is sent')
    parser.add_argument('--seconds', type=int, default=0,
                        help='stop after N seconds (default 0: run until Ctrl-C)')
    args = parser.parse_args()
    if not 0 <= args.port <= 65535:
        parser.error('--port must be between 0 and 65535')
    return args


def options(args):
    """The server properties the command line sets."""
    return {'host': args.host, 'port': args.port, 'verbose': args.verbose}


def serve_forever(server, args, animate):
    """Runs animate on a thread and serves on the server's own thread
    until Ctrl-C, SIGTERM or the end of --seconds, then stops the server."""
    animate_thread = threading.Thread(target=animate)
    animate_thread.daemon = True
    animate_thread.start()
    # Python's signal handlers run on this thread, between its sleeps.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    sys.stdout.reconfigure(line_buffering=True)
    server.start_thread()
    port = server.get_port()
    host = args.host if args.host not in (None, '0.0.0.0', '::') else 'localhost'
    if ':' in host:
        host = '[%s]' % host
    if port >= 5900:
        print('Serving on port %d: xtigervncviewer %s:%d or gvncviewer %s:%d'
              % (port, host, port - 5900, host, port - 5900))
    else:
        print('Serving on port %d: xtigervncviewer %s::%d' % (port, host, port))
    try:
        if args.seconds > 0:
            time.sleep(args.seconds)
        else:
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
