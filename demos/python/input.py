"""Viewers steer the animation (the Python CairoVNC example_input).

Instead of just sleeping between frames, the animation takes events from
the server: the pointer places the curve's second control point, buttons
1-3 give the three squares the next colour, and keys are printed. Every
two seconds the surface changes size, as in password.py.

The server ignores viewers' input unless read-only is turned off.
"""

import time

from demo_common import CairoVnc, Screen, options, parse_args, serve_forever


class SteeredScreen(Screen):
    def __init__(self):
        Screen.__init__(self)
        self.ctrlx = self.width / 2
        self.ctrly = self.height / 2

    def animate(self):
        while True:
            self.seq += 1
            # Read events for up to our time slice
            end = time.monotonic() + self.animation_period
            while time.monotonic() < end:
                event = self.server.get_event(timeout=max(0, end - time.monotonic()))
                if event is None:
                    continue
                if event.name == 'move':
                    self.ctrlx = event.x
                    self.ctrly = event.y
                if event.name == 'click' and event.down:
                    if event.button < 3:
                        # When they click a button, advance the colours of the squares
                        self.square_indexes[event.button] = \
                            (self.square_indexes[event.button] + 1) % len(self.colour_cycling)
                if event.name == 'key':
                    print(event)

            # All accesses to the surface are under the server's lock, so
            # that viewers see each frame whole.
            self.draw_locked()


if __name__ == "__main__":
    args = parse_args(__doc__)
    screen = SteeredScreen()

    # Create the server with options
    server = CairoVnc.Server.new(screen.surface, None)
    server.set_properties(read_only=False, **options(args))
    screen.server = server
    print('Move the pointer to bend the curve, click to recolour the squares, type to see keys')
    serve_forever(server, args, screen.animate)
