"""Change the surface, and its size, as we go (the Python CairoVNC
example_new_surface): every two seconds the animation draws into a new
surface 20 pixels wider, or back, and hands it to the server, which tells
viewers the new size.

As in the original there is no lock, so the server may copy a frame while
it is half drawn; animation.py shows the lock.
"""

import time

from demo_common import CairoVnc, Screen, options, parse_args, serve_forever


class ResizingScreen(Screen):
    def animate(self):
        while True:
            self.seq += 1
            time.sleep(self.animation_period)

            # Once every 20 calls we resize the surface
            resized = self.resize_when_due()
            self.draw()
            if resized:
                # Handed over once drawn: with no lock, the server may copy
                # it at once.
                self.server.set_surface(self.surface, None)
            self.server.frame_ready()


if __name__ == "__main__":
    args = parse_args(__doc__)
    screen = ResizingScreen()

    # Create the server with options
    server = CairoVnc.Server.new(screen.surface, None)
    server.set_properties(**options(args))
    screen.server = server
    serve_forever(server, args, screen.animate)
