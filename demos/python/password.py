"""Ask viewers for a password (the Python CairoVNC example_password): the
animation of new_surface.py, drawn under the server's surface lock, behind
VNC Authentication with two passwords. "password" lets a viewer watch and
control; "readonly" lets it only watch.

With both passwords set, input is on. Unlike the original, the animation
takes and prints the events: events nobody takes fill the queue, and then
the server stops reading from the viewer.
"""

import time

from demo_common import CairoVnc, Screen, options, parse_args, serve_forever


class LockedScreen(Screen):
    def animate(self):
        while True:
            self.seq += 1
            time.sleep(self.animation_period)
            while True:
                event = self.server.get_event(0)
                if event is None:
                    break
                print(event)

            # All accesses to the surface are under the server's lock, so
            # that viewers see each frame whole.
            self.draw_locked()


if __name__ == "__main__":
    args = parse_args(__doc__)
    screen = LockedScreen()

    # Create the server with options
    server = CairoVnc.Server.new(screen.surface, None)
    server.set_properties(password='password', password_readonly='readonly', **options(args))
    screen.server = server
    print('Password "password" to watch and control, "readonly" to watch only')
    serve_forever(server, args, screen.animate)
