"""Run a simple animation in a Cairo surface, on a thread, and serve it on
localhost:5902 / localhost:2 (the Python CairoVNC example_animation).

The animation draws under the server's own surface lock and says
frame_ready() after each frame: the server copies pixels only while it
holds that lock, so viewers never see half a frame, and it sends each frame
as soon as it is ready.
"""

import time

from demo_common import CairoVnc, Screen, options, parse_args, serve_forever


class AnimatedScreen(Screen):
    def animate(self):
        while True:
            time.sleep(self.animation_period)
            with self.server.surface_locked():
                self.seq += 1
                self.draw()
            self.server.frame_ready()


if __name__ == "__main__":
    args = parse_args(__doc__)
    screen = AnimatedScreen()

    # Create the server
    server = CairoVnc.Server.new(screen.surface, None)
    server.set_properties(**options(args))
    screen.server = server
    serve_forever(server, args, screen.animate)
