# CairoVnc.py — PyGObject's override of the CairoVnc namespace: what a
# Python program wants beyond the introspected API. The Python CairoVNC's
# get_event(timeout) in seconds, and the server's own surface lock as a
# context manager.
#
# Installed into PyGObject's gi/overrides; uninstalled, the directory above
# gi/ goes on PYTHONPATH (meson devenv does that).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import contextlib

from ..module import get_introspection_module
from ..overrides import override

CairoVnc = get_introspection_module('CairoVnc')

__all__ = []


class Server(CairoVnc.Server):
    @contextlib.contextmanager
    def surface_locked(self):
        """Holds the server's own surface lock through a with block.

        For a surface given without a lock (None), the server copies pixels
        only while it holds this lock, so what is drawn inside the block
        reaches viewers whole:

            with server.surface_locked():
                draw(context)
            server.frame_ready()
        """
        self.lock_surface()
        try:
            yield self
        finally:
            self.unlock_surface()

    def get_event(self, timeout=None):
        """Takes the oldest event, waiting up to timeout seconds (None: for
        ever, 0: not at all); None when none came in time."""
        if timeout is None:
            return self.pop_event(-1)
        return self.pop_event(max(0, int(timeout * 1000000)))


Server = override(Server)
__all__.append('Server')


_EVENT_FIELDS = {
    CairoVnc.EventType.KEY: ('keysym', 'down'),
    CairoVnc.EventType.MOVE: ('x', 'y', 'buttons'),
    CairoVnc.EventType.CLICK: ('x', 'y', 'button', 'down'),
    CairoVnc.EventType.SCROLL: ('x', 'y', 'dx', 'dy'),
    CairoVnc.EventType.CLIPBOARD: ('text',),
}


class Event(CairoVnc.Event):
    @property
    def name(self):
        """The event's kind in lower case ('key', 'move', 'click', 'scroll',
        'clipboard'), as the Python CairoVNC's event.name."""
        return self.type.value_nick

    def __repr__(self):
        fields = ' '.join('%s=%r' % (field, getattr(self, field))
                          for field in _EVENT_FIELDS.get(self.type, ()))
        return '<CairoVnc.Event %s viewer=%d %s>' % (self.name, self.client_id, fields)


Event = override(Event)
__all__.append('Event')
