/* scene.h — the benchmark's animated scenes, drawn with cairo.
 *
 * Both benchmark servers (cairovnc and LibVNCServer) draw the same scene
 * with this code, so what they serve differs only in how they serve it.
 * A scene draws frame n into an image surface that still holds the frame
 * it drew before, and says which rectangles it changed: a LibVNCServer
 * program must mark them; cairovnc finds them itself.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  /* A gradient background drawn once; a few moving squares and a bezier
   * whose control point moves: a few percent of the pixels per frame. */
  SCENE_SMALL,
  /* Every pixel changes every frame: a drifting gradient whose colours
   * change, moving shaded discs and a moving stripe pattern — smooth and
   * structured like rendered video, not random noise. */
  SCENE_FULL,
  /* Lines of text, like a log or a terminal, scrolling up one line per
   * frame. */
  SCENE_SCROLL,
} SceneKind;

/* Most rectangles scene_draw() reports for one frame. */
#define SCENE_MAX_RECTS 64

typedef struct Scene Scene;

gboolean scene_kind_from_name (const char *name, SceneKind *kind);
const char *scene_kind_name (SceneKind kind);

Scene *scene_new (SceneKind kind, int width, int height);
void scene_free (Scene *scene);

/* Draws frame @n into @surface (an RGB24 or ARGB32 image surface of the
 * scene's size, flushed and marked dirty on return). Frames must come in
 * increasing order on the same surface; numbers may be skipped. Fills
 * @rects with the areas that changed since the previous call (the whole
 * surface on the first call) and returns how many, at most
 * SCENE_MAX_RECTS. Rectangles may overlap. */
guint scene_draw (Scene                 *scene,
                  cairo_surface_t       *surface,
                  guint64                n,
                  cairo_rectangle_int_t *rects);

G_END_DECLS
