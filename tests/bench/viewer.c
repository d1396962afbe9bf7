/* viewer.c — one load-generating VNC viewer (see viewer.h).
 *
 * The parser is a chain of handlers: each asks for a number of bytes
 * (expect()) and, given them, decides what comes next. Payloads are passed
 * over with a skip count; when nothing of a payload is buffered yet, it is
 * discarded in the kernel (recv with MSG_TRUNC), never copied. Lengths are
 * taken as the spec gives them (rfbproto.rst): Raw w*h*4; zlib and ZRLE a
 * U32; Tight its compression-control byte, filter, palette and compact
 * lengths; Hextile and RRE their subencodings.
 */
#include "viewer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
/* Most bytes taken from one socket per wake-up, so that one fast viewer
 * does not starve the others. */
#define READ_BUDGET (1024 * 1024)

static const struct {
  gint32 encoding;
  const char *name;
} rect_encodings[VIEWER_N_RECT_ENCODINGS] = {
  { RFB_ENC_RAW, "raw" }, { RFB_ENC_COPYRECT, "copyrect" }, { RFB_ENC_RRE, "rre" },
  { RFB_ENC_HEXTILE, "hextile" }, { RFB_ENC_ZLIB, "zlib" }, { RFB_ENC_TIGHT, "tight" },
  { RFB_ENC_ZRLE, "zrle" },
};

typedef gboolean (*Handler) (Viewer *v, const guint8 *p);

struct Viewer {
  int id;
  const ViewerConfig *config;
  int fd;
  ViewerState state;
  guint32 epoll_events;
  gboolean stalled;

  guint8 buf[BUF_SIZE];
  gsize start, end;          /* unparsed bytes are buf[start, end) */
  gsize need;                /* bytes the handler wants; 0: it runs after the skip */
  Handler handler;
  guint64 skip;              /* payload bytes to pass over before the handler */
  guint64 consumed;          /* bytes parsed so far */

  GByteArray *out;           /* bytes not yet sent */

  int width, height;
  gint64 request_us;         /* when the last request was sent */

  /* The update being received. */
  gboolean in_update;
  guint32 rects_left;
  guint64 update_start_consumed;
  ViewerUpdate update;

  /* The rectangle being received. */
  guint16 rx, ry, rw, rh;
  gint32 renc;
  guint32 compact_value;     /* Tight compact length being read */
  guint compact_shift;
  guint tight_palette_colours;
  guint8 tight_filter;
  gboolean tight_zlib;
  guint hextile_tx, hextile_ty;  /* the Hextile tile being read, in tiles */
  guint8 hextile_sub;

  /* Raw and CopyRect decoding, to compare pictures. */
  gboolean decode;
  gboolean fb_valid;
  guint8 *fb;
  guint64 raw_offset;        /* bytes of the current Raw rect stored */
};

const char *
viewer_rect_encoding_name (guint index)
{
  return index < VIEWER_N_RECT_ENCODINGS ? rect_encodings[index].name : "other";
}

gint32
viewer_rect_encoding (guint index)
{
  return index < VIEWER_N_RECT_ENCODINGS ? rect_encodings[index].encoding : G_MININT32;
}

static guint16
get_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static guint32
get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
put_u16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static void
put_u32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* ---- sockets ----------------------------------------------------------- */

static void
update_epoll (Viewer *v)
{
  guint32 events = 0;
  struct epoll_event ev = { 0 };

  if (v->state == VIEWER_CLOSED)
    return;
  if (v->state == VIEWER_CONNECTING || v->out->len > 0)
    events |= EPOLLOUT;
  if (v->state != VIEWER_CONNECTING && !v->stalled)
    events |= EPOLLIN;
  if (events == v->epoll_events)
    return;
  ev.events = events;
  ev.data.ptr = v;
  epoll_ctl (v->config->epoll_fd, EPOLL_CTL_MOD, v->fd, &ev);
  v->epoll_events = events;
}

static void
close_viewer (Viewer *v, const char *why)
{
  ViewerState was = v->state;

  if (v->state == VIEWER_CLOSED)
    return;
  if (v->fd >= 0)
    {
      epoll_ctl (v->config->epoll_fd, EPOLL_CTL_DEL, v->fd, NULL);
      close (v->fd);
    }
  v->fd = -1;
  v->state = VIEWER_CLOSED;
  v->config->callbacks.closed (v, was, why, v->config->data);
}

static gboolean
flush_out (Viewer *v)
{
  while (v->out->len > 0)
    {
      ssize_t n = send (v->fd, v->out->data, v->out->len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0)
        {
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
          if (errno == EINTR)
            continue;
          close_viewer (v, g_strerror (errno));
          return FALSE;
        }
      g_byte_array_remove_range (v->out, 0, (guint) n);
    }
  update_epoll (v);
  return TRUE;
}

static gboolean
send_bytes (Viewer *v, const void *data, gsize len)
{
  g_byte_array_append (v->out, data, (guint) len);
  return flush_out (v);
}

gboolean
viewer_request_update (Viewer *v, gboolean incremental)
{
  guint8 msg[10] = { 3, incremental ? 1 : 0 };

  put_u16 (msg + 2, 0);
  put_u16 (msg + 4, 0);
  put_u16 (msg + 6, (guint16) v->width);
  put_u16 (msg + 8, (guint16) v->height);
  v->request_us = g_get_monotonic_time ();
  return send_bytes (v, msg, sizeof msg);
}

/* ---- parsing ----------------------------------------------------------- */

static void
expect (Viewer *v, gsize need, Handler handler)
{
  g_assert (need > 0 && need <= BUF_SIZE);
  v->need = need;
  v->handler = handler;
}

static gboolean handle_message_type (Viewer *v, const guint8 *p);
static gboolean handle_rect_header (Viewer *v, const guint8 *p);

static guint
rect_encoding_index (gint32 encoding)
{
  for (guint i = 0; i < VIEWER_N_RECT_ENCODINGS; i++)
    if (rect_encodings[i].encoding == encoding)
      return i;
  return VIEWER_N_RECT_ENCODINGS;
}

static guint64
fb_hash (const Viewer *v)
{
  const guint32 *px = (const guint32 *) v->fb;
  gsize n = (gsize) v->width * (gsize) v->height;
  guint64 h = 0xcbf29ce484222325ull;

  /* The padding byte of a 32-bit pixel is not part of the picture. */
  for (gsize i = 0; i < n; i++)
    {
      h ^= px[i] & 0x00ffffffu;
      h *= 0x100000001b3ull;
      h ^= h >> 29;
    }
  return h;
}

static void
update_done (Viewer *v)
{
  v->update.done_us = g_get_monotonic_time ();
  v->update.bytes = v->consumed - v->update_start_consumed;
  v->in_update = FALSE;
  v->config->callbacks.update_done (v, &v->update, v->config->data);
  if (v->state != VIEWER_READY)
    return;

  /* The next request goes out at once, except from a stalled viewer. */
  if (!v->stalled)
    viewer_request_update (v, TRUE);
  expect (v, 1, handle_message_type);
}

static void
rect_done (Viewer *v)
{
  if (--v->rects_left == 0)
    update_done (v);
  else
    expect (v, 12, handle_rect_header);
}

/* Skips @n payload bytes, then the rectangle is complete. */
static gboolean handle_after_skip_rect_done (Viewer *v, const guint8 *p);

static void
skip_then_rect_done (Viewer *v, guint64 n)
{
  if (n == 0)
    {
      rect_done (v);
      return;
    }
  /* need 0: the handler runs when the skip is done, and takes no bytes. */
  v->skip = n;
  v->handler = handle_after_skip_rect_done;
  v->need = 0;
}

static gboolean
handle_after_skip_rect_done (Viewer *v, const guint8 *p)
{
  rect_done (v);
  return TRUE;
}

static gboolean
handle_u32_length_payload (Viewer *v, const guint8 *p)
{
  skip_then_rect_done (v, get_u32 (p));
  return TRUE;
}

/* Tight (rfbproto.rst "Tight Encoding"). TPIXEL is 3 bytes here: 32 bpp,
 * depth 24, 8 bits per colour. */
#define TPIXEL 3

static gboolean handle_tight_compact (Viewer *v, const guint8 *p);

static void
tight_read_compact_length (Viewer *v)
{
  v->compact_value = 0;
  v->compact_shift = 0;
  expect (v, 1, handle_tight_compact);
}

static gboolean
handle_tight_compact (Viewer *v, const guint8 *p)
{
  /* 7 bits, 7 bits, then 8 bits, least significant first. */
  if (v->compact_shift < 14)
    {
      v->compact_value |= (guint32) (p[0] & 0x7f) << v->compact_shift;
      v->compact_shift += 7;
      if (p[0] & 0x80)
        {
          expect (v, 1, handle_tight_compact);
          return TRUE;
        }
    }
  else
    v->compact_value |= (guint32) p[0] << 14;
  skip_then_rect_done (v, v->compact_value);
  return TRUE;
}

/* The size of the filtered pixel data before compression. */
static guint64
tight_data_size (const Viewer *v)
{
  guint64 w = v->rw, h = v->rh;

  if (v->tight_filter == 1)
    return v->tight_palette_colours == 2 ? (w + 7) / 8 * h : w * h;
  return w * h * TPIXEL;
}

static void
tight_basic_data (Viewer *v, gboolean zlib)
{
  guint64 size = tight_data_size (v);

  /* Below 12 bytes, or without zlib, the data is sent as it is. */
  if (size < 12 || !zlib)
    skip_then_rect_done (v, size);
  else
    tight_read_compact_length (v);
}

static gboolean
handle_tight_palette_size (Viewer *v, const guint8 *p)
{
  gboolean zlib = v->tight_zlib;

  v->tight_palette_colours = (guint) p[0] + 1;
  /* The palette itself is passed over as part of a skip, then the data.
   * Both are fixed sizes for raw data; for zlib data the compact length
   * follows the palette. */
  if (tight_data_size (v) < 12 || !zlib)
    {
      skip_then_rect_done (v, (guint64) v->tight_palette_colours * TPIXEL + tight_data_size (v));
      return TRUE;
    }
  v->skip = (guint64) v->tight_palette_colours * TPIXEL;
  tight_read_compact_length (v);
  return TRUE;
}

static gboolean
handle_tight_filter (Viewer *v, const guint8 *p)
{
  gboolean zlib = v->tight_zlib;

  v->tight_filter = p[0];
  switch (p[0])
    {
    case 0:   /* copy */
    case 2:   /* gradient */
      tight_basic_data (v, zlib);
      return TRUE;
    case 1:   /* palette */
      expect (v, 1, handle_tight_palette_size);
      return TRUE;
    default:
      close_viewer (v, "Tight: unknown filter");
      return FALSE;
    }
}

static gboolean
handle_tight_control (Viewer *v, const guint8 *p)
{
  guint8 control = p[0];
  guint type = control >> 4;

  v->tight_filter = 0;
  if (type == 8)                       /* fill: one TPIXEL */
    {
      skip_then_rect_done (v, TPIXEL);
      return TRUE;
    }
  if (type == 9)                       /* JPEG: compact length, data */
    {
      tight_read_compact_length (v);
      return TRUE;
    }
  if ((type & 8) == 0 || type == 0xa || type == 0xe)
    {
      /* Basic, with zlib when bit 7 is clear; bit 6 says a filter id follows. */
      gboolean zlib = (type & 8) == 0;
      gboolean read_filter = (control & 0x40) != 0;

      v->tight_zlib = zlib;
      if (read_filter)
        expect (v, 1, handle_tight_filter);
      else
        tight_basic_data (v, zlib);
      return TRUE;
    }
  close_viewer (v, "Tight: invalid compression control");
  return FALSE;
}

/* Hextile (rfbproto.rst "Hextile Encoding"): 16x16 tiles, row by row. */
static gboolean handle_hextile_sub (Viewer *v, const guint8 *p);
static gboolean handle_hextile_count (Viewer *v, const guint8 *p);
static gboolean handle_hextile_tile_end (Viewer *v, const guint8 *p);

static void
hextile_next_tile (Viewer *v)
{
  guint tiles_x = (v->rw + 15u) / 16u, tiles_y = (v->rh + 15u) / 16u;

  if (++v->hextile_tx >= tiles_x)
    {
      v->hextile_tx = 0;
      v->hextile_ty++;
    }
  if (v->hextile_ty >= tiles_y)
    rect_done (v);
  else
    expect (v, 1, handle_hextile_sub);
}

static gboolean
handle_hextile_tile_end (Viewer *v, const guint8 *p)
{
  hextile_next_tile (v);
  return TRUE;
}

static void
hextile_skip_then_next (Viewer *v, guint64 n)
{
  if (n == 0)
    {
      hextile_next_tile (v);
      return;
    }
  v->skip = n;
  v->need = 0;
  v->handler = handle_hextile_tile_end;
}

static gboolean
handle_hextile_sub (Viewer *v, const guint8 *p)
{
  guint8 sub = p[0];
  guint tw = MIN (16u, v->rw - v->hextile_tx * 16u);
  guint th = MIN (16u, v->rh - v->hextile_ty * 16u);
  guint colours = ((sub & 2) ? 4u : 0u) + ((sub & 4) ? 4u : 0u);

  v->hextile_sub = sub;
  if (sub & 1)                                      /* raw tile */
    hextile_skip_then_next (v, (guint64) tw * th * 4);
  else if (sub & 8)                                 /* subrects follow */
    {
      if (colours > 0)
        v->skip = colours;
      expect (v, 1, handle_hextile_count);
    }
  else
    hextile_skip_then_next (v, colours);
  return TRUE;
}

static gboolean
handle_hextile_count (Viewer *v, const guint8 *p)
{
  guint per_subrect = ((v->hextile_sub & 16) ? 4u : 0u) + 2u;

  hextile_skip_then_next (v, (guint64) p[0] * per_subrect);
  return TRUE;
}

static gboolean
handle_rre_header (Viewer *v, const guint8 *p)
{
  /* U32 subrectangles, background pixel, then pixel + 4 U16 each. */
  skip_then_rect_done (v, (guint64) get_u32 (p) * (4 + 8));
  return TRUE;
}

static gboolean
handle_extended_desktop_size (Viewer *v, const guint8 *p)
{
  skip_then_rect_done (v, (guint64) p[0] * 16);
  return TRUE;
}

static gboolean
handle_copyrect (Viewer *v, const guint8 *p)
{
  if (v->decode && v->fb != NULL)
    {
      guint sx = get_u16 (p), sy = get_u16 (p + 2);
      gsize row = (gsize) v->rw * 4;

      if (sx + v->rw > (guint) v->width || sy + v->rh > (guint) v->height)
        v->fb_valid = FALSE;
      else
        {
          guint8 *copy = g_malloc (row * v->rh);
          for (guint y = 0; y < v->rh; y++)
            memcpy (copy + row * y, v->fb + ((gsize) (sy + y) * v->width + sx) * 4, row);
          for (guint y = 0; y < v->rh; y++)
            memcpy (v->fb + ((gsize) (v->ry + y) * v->width + v->rx) * 4, copy + row * y, row);
          g_free (copy);
        }
    }
  rect_done (v);
  return TRUE;
}

static gboolean
handle_rect_header (Viewer *v, const guint8 *p)
{
  gboolean pixels = TRUE;

  v->rx = get_u16 (p);
  v->ry = get_u16 (p + 2);
  v->rw = get_u16 (p + 4);
  v->rh = get_u16 (p + 6);
  v->renc = (gint32) get_u32 (p + 8);

  switch (v->renc)
    {
    case RFB_ENC_RAW:
      if (v->decode)
        {
          if (v->rx + v->rw > v->width || v->ry + v->rh > v->height)
            v->fb_valid = FALSE;
          v->raw_offset = 0;
        }
      skip_then_rect_done (v, (guint64) v->rw * v->rh * 4);
      break;
    case RFB_ENC_COPYRECT:
      expect (v, 4, handle_copyrect);
      break;
    case RFB_ENC_RRE:
      expect (v, 8, handle_rre_header);
      break;
    case RFB_ENC_HEXTILE:
      v->hextile_tx = 0;
      v->hextile_ty = 0;
      if (v->rw == 0 || v->rh == 0)
        rect_done (v);
      else
        expect (v, 1, handle_hextile_sub);
      break;
    case RFB_ENC_ZLIB:
    case RFB_ENC_ZRLE:
      expect (v, 4, handle_u32_length_payload);
      break;
    case RFB_ENC_TIGHT:
      expect (v, 1, handle_tight_control);
      break;
    case RFB_ENC_DESKTOP_SIZE:
      pixels = FALSE;
      v->width = v->rw;
      v->height = v->rh;
      v->fb_valid = FALSE;
      rect_done (v);
      break;
    case RFB_ENC_EXTENDED_DESKTOP_SIZE:
      pixels = FALSE;
      v->width = v->rw;
      v->height = v->rh;
      expect (v, 4, handle_extended_desktop_size);
      break;
    case RFB_ENC_DESKTOP_NAME:
      pixels = FALSE;
      expect (v, 4, handle_u32_length_payload);
      break;
    case RFB_ENC_LAST_RECT:
      pixels = FALSE;
      v->rects_left = 1;
      rect_done (v);
      break;
    default:
      {
        char *why = g_strdup_printf ("unexpected rectangle encoding %d", v->renc);
        close_viewer (v, why);
        g_free (why);
        return FALSE;
      }
    }

  if (pixels)
    {
      v->update.pixel_rects++;
      v->update.pixels += (guint64) v->rw * v->rh;
      v->update.rects[rect_encoding_index (v->renc)]++;
      if (v->decode && v->renc != RFB_ENC_RAW && v->renc != RFB_ENC_COPYRECT)
        v->fb_valid = FALSE;
    }
  return TRUE;
}

static gboolean
handle_update_header (Viewer *v, const guint8 *p)
{
  /* padding, U16 number-of-rectangles (0xffff: until LastRect) */
  v->rects_left = get_u16 (p + 1);
  if (v->rects_left == 0xffff)
    v->rects_left = G_MAXUINT32;
  if (v->rects_left == 0)
    update_done (v);
  else
    expect (v, 12, handle_rect_header);
  return TRUE;
}

static gboolean
handle_skip_then_message (Viewer *v, const guint8 *p)
{
  expect (v, 1, handle_message_type);
  return TRUE;
}

static void
skip_then_message (Viewer *v, guint64 n)
{
  if (n == 0)
    {
      expect (v, 1, handle_message_type);
      return;
    }
  v->skip = n;
  v->need = 0;
  v->handler = handle_skip_then_message;
}

static gboolean
handle_colour_map (Viewer *v, const guint8 *p)
{
  skip_then_message (v, (guint64) get_u16 (p + 3) * 6);
  return TRUE;
}

static gboolean
handle_cut_text (Viewer *v, const guint8 *p)
{
  /* A negative length is the Extended Clipboard's: its size is |length|. */
  gint32 length = (gint32) get_u32 (p + 3);
  skip_then_message (v, length < 0 ? (guint64) -(gint64) length : (guint64) length);
  return TRUE;
}

static gboolean
handle_fence (Viewer *v, const guint8 *p)
{
  skip_then_message (v, p[7]);
  return TRUE;
}

static gboolean
handle_message_type (Viewer *v, const guint8 *p)
{
  switch (p[0])
    {
    case 0:     /* FramebufferUpdate */
      v->in_update = TRUE;
      v->update_start_consumed = v->consumed - 1;
      memset (&v->update, 0, sizeof v->update);
      v->update.request_us = v->request_us;
      if (v->config->frame_clock != NULL)
        v->update.frame_us = frame_clock_latest (v->config->frame_clock);
      expect (v, 3, handle_update_header);
      return TRUE;
    case 1:     /* SetColourMapEntries */
      expect (v, 5, handle_colour_map);
      return TRUE;
    case 2:     /* Bell */
      expect (v, 1, handle_message_type);
      return TRUE;
    case 3:     /* ServerCutText */
      expect (v, 7, handle_cut_text);
      return TRUE;
    case 150:   /* EndOfContinuousUpdates */
      expect (v, 1, handle_message_type);
      return TRUE;
    case 248:   /* ServerFence */
      expect (v, 8, handle_fence);
      return TRUE;
    default:
      {
        char *why = g_strdup_printf ("unexpected server message type %u", p[0]);
        close_viewer (v, why);
        g_free (why);
        return FALSE;
      }
    }
}

/* ---- handshake --------------------------------------------------------- */

static gboolean
handle_server_init_name (Viewer *v, const guint8 *p)
{
  /* Everything a viewer says once, then the first (full) request. */
  guint8 pixel_format[20] = {
    0, 0, 0, 0,
    32, 24, 0, 1,          /* bpp, depth, little endian, true colour */
    0, 255, 0, 255, 0, 255, /* maxima */
    16, 8, 0,              /* shifts: red, green, blue */
    0, 0, 0,
  };
  int n = MIN (v->config->n_encodings, 64);
  guint8 msg[4 + 64 * 4];

  msg[0] = 2;
  msg[1] = 0;
  put_u16 (msg + 2, (guint16) n);
  for (int i = 0; i < n; i++)
    put_u32 (msg + 4 + 4 * i, (guint32) v->config->encodings[i]);

  if (!send_bytes (v, pixel_format, sizeof pixel_format) ||
      !send_bytes (v, msg, 4 + 4 * (gsize) n))
    return FALSE;

  if (v->decode)
    {
      v->fb = g_malloc0 ((gsize) v->width * (gsize) v->height * 4);
      v->fb_valid = TRUE;
    }
  v->state = VIEWER_READY;
  expect (v, 1, handle_message_type);
  v->config->callbacks.ready (v, v->config->data);
  return viewer_request_update (v, FALSE);
}

static gboolean
handle_server_init (Viewer *v, const guint8 *p)
{
  guint32 name_length = get_u32 (p + 20);

  v->width = get_u16 (p);
  v->height = get_u16 (p + 2);
  if (v->width == 0 || v->height == 0)
    {
      close_viewer (v, "empty framebuffer in ServerInit");
      return FALSE;
    }
  if (name_length == 0)
    return handle_server_init_name (v, p);
  v->skip = name_length;
  v->need = 0;
  v->handler = handle_server_init_name;
  return TRUE;
}

static gboolean
handle_failure_reason (Viewer *v, const guint8 *p)
{
  close_viewer (v, "the server refused the connection");
  return FALSE;
}

static gboolean
handle_security_result (Viewer *v, const guint8 *p)
{
  guint8 shared = 1;

  if (get_u32 (p) != 0)
    {
      expect (v, 4, handle_failure_reason);
      return TRUE;
    }
  if (!send_bytes (v, &shared, 1))
    return FALSE;
  expect (v, 24, handle_server_init);
  return TRUE;
}

static gboolean
handle_security_types (Viewer *v, const guint8 *p)
{
  guint8 none = 1;

  for (gsize i = 0; i < v->need; i++)
    if (p[i] == 1)
      {
        if (!send_bytes (v, &none, 1))
          return FALSE;
        expect (v, 4, handle_security_result);
        return TRUE;
      }
  close_viewer (v, "the server does not offer security None");
  return FALSE;
}

static gboolean
handle_security_count (Viewer *v, const guint8 *p)
{
  if (p[0] == 0)
    {
      close_viewer (v, "the server refused the connection");
      return FALSE;
    }
  expect (v, p[0], handle_security_types);
  return TRUE;
}

static gboolean
handle_version (Viewer *v, const guint8 *p)
{
  static const char version[] = "RFB 003.008\n";

  if (memcmp (p, "RFB 003.", 8) != 0)
    {
      close_viewer (v, "not an RFB server");
      return FALSE;
    }
  if (!send_bytes (v, version, 12))
    return FALSE;
  expect (v, 1, handle_security_count);
  return TRUE;
}

/* ---- reading ----------------------------------------------------------- */

static void
store_raw_bytes (Viewer *v, const guint8 *data, gsize len)
{
  gsize row = (gsize) v->rw * 4;

  if (!v->fb_valid || row == 0)
    return;
  while (len > 0)
    {
      gsize y = v->raw_offset / row, x_bytes = v->raw_offset % row;
      gsize n = MIN (len, row - x_bytes);

      memcpy (v->fb + ((gsize) (v->ry + y) * v->width + v->rx) * 4 + x_bytes, data, n);
      data += n;
      len -= n;
      v->raw_offset += n;
    }
}

/* Whether the bytes being skipped must be looked at (Raw pixels of a
 * decoding viewer). */
static gboolean
skip_is_stored (const Viewer *v)
{
  return v->decode && v->in_update && v->renc == RFB_ENC_RAW && v->handler == handle_after_skip_rect_done;
}

/* Parses what is buffered; FALSE when the viewer was closed. */
static gboolean
parse (Viewer *v)
{
  for (;;)
    {
      if (v->skip > 0)
        {
          gsize take = (gsize) MIN (v->skip, (guint64) (v->end - v->start));
          if (take == 0)
            return TRUE;
          if (skip_is_stored (v))
            store_raw_bytes (v, v->buf + v->start, take);
          v->start += take;
          v->skip -= take;
          v->consumed += take;
          if (v->skip > 0)
            return TRUE;
        }
      if (v->need == 0)
        {
          /* A skip just ended: its continuation takes no bytes. */
          if (!v->handler (v, NULL) || v->state == VIEWER_CLOSED)
            return FALSE;
          continue;
        }
      if (v->end - v->start < v->need)
        return TRUE;
      {
        const guint8 *p = v->buf + v->start;
        gsize need = v->need;
        v->start += need;
        v->consumed += need;
        if (!v->handler (v, p) || v->state == VIEWER_CLOSED)
          return FALSE;
      }
    }
}

static void
on_readable (Viewer *v)
{
  gsize budget = READ_BUDGET;

  while (budget > 0 && v->state != VIEWER_CLOSED && !v->stalled)
    {
      ssize_t n;

      if (v->skip > 0 && v->start == v->end && !skip_is_stored (v))
        {
          /* Discard in the kernel, without copying. */
          gsize want = (gsize) MIN (v->skip, (guint64) budget);
          n = recv (v->fd, NULL, want, MSG_TRUNC | MSG_DONTWAIT);
          if (n > 0)
            {
              v->skip -= (guint64) n;
              v->consumed += (guint64) n;
              budget -= MIN (budget, (gsize) n);
              if (!parse (v))
                return;
              continue;
            }
        }
      else
        {
          if (v->start == v->end)
            v->start = v->end = 0;
          else if (v->start > 0 && BUF_SIZE - v->end < 4096)
            {
              memmove (v->buf, v->buf + v->start, v->end - v->start);
              v->end -= v->start;
              v->start = 0;
            }
          n = recv (v->fd, v->buf + v->end, BUF_SIZE - v->end, MSG_DONTWAIT);
          if (n > 0)
            {
              v->end += (gsize) n;
              budget -= MIN (budget, (gsize) n);
              if (!parse (v))
                return;
              continue;
            }
        }
      if (n == 0)
        {
          close_viewer (v, "the server closed the connection");
          return;
        }
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return;
      if (errno == EINTR)
        continue;
      close_viewer (v, g_strerror (errno));
      return;
    }
}

/* ---- connecting -------------------------------------------------------- */

void
viewer_connect (Viewer *v)
{
  struct epoll_event ev = { 0 };
  int one = 1;

  g_return_if_fail (v->state == VIEWER_IDLE);
  v->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  v->state = VIEWER_CONNECTING;
  if (v->fd < 0)
    {
      close_viewer (v, g_strerror (errno));
      return;
    }
  setsockopt (v->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  expect (v, 12, handle_version);
  ev.events = EPOLLOUT;
  ev.data.ptr = v;
  v->epoll_events = EPOLLOUT;
  epoll_ctl (v->config->epoll_fd, EPOLL_CTL_ADD, v->fd, &ev);
  if (connect (v->fd, (const struct sockaddr *) &v->config->address, sizeof v->config->address) != 0 &&
      errno != EINPROGRESS)
    close_viewer (v, g_strerror (errno));
}

static void
on_writable (Viewer *v)
{
  if (v->state == VIEWER_CONNECTING)
    {
      int error = 0;
      socklen_t len = sizeof error;

      getsockopt (v->fd, SOL_SOCKET, SO_ERROR, &error, &len);
      if (error != 0)
        {
          close_viewer (v, g_strerror (error));
          return;
        }
      v->state = VIEWER_HANDSHAKE;
      update_epoll (v);
      return;
    }
  flush_out (v);
}


/* ---- the viewer --------------------------------------------------------- */

Viewer *
viewer_new (int id, const ViewerConfig *config, gboolean decode)
{
  Viewer *v = g_new0 (Viewer, 1);

  v->id = id;
  v->config = config;
  v->fd = -1;
  v->state = VIEWER_IDLE;
  v->out = g_byte_array_new ();
  v->decode = decode;
  return v;
}

void
viewer_free (Viewer *v)
{
  if (v == NULL)
    return;
  if (v->fd >= 0)
    close (v->fd);
  g_byte_array_unref (v->out);
  g_free (v->fb);
  g_free (v);
}

int
viewer_get_id (const Viewer *v)
{
  return v->id;
}

ViewerState
viewer_get_state (const Viewer *v)
{
  return v->state;
}

gboolean
viewer_has_size (const Viewer *v)
{
  return v->width > 0 && v->height > 0;
}

gsize
viewer_output_pending (const Viewer *v)
{
  return v->out->len;
}

void
viewer_handle_events (Viewer *v, guint32 events)
{
  if (v->state == VIEWER_CLOSED)
    return;
  if (v->state == VIEWER_CONNECTING || (events & EPOLLOUT))
    {
      on_writable (v);
      if (v->state == VIEWER_CLOSED || v->state == VIEWER_CONNECTING)
        return;
    }
  if (v->stalled && (events & (EPOLLERR | EPOLLHUP)))
    {
      /* Not reading, so the hang-up would be reported for ever. */
      close_viewer (v, "the server closed the connection of the stalled viewer");
      return;
    }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
    on_readable (v);
}

void
viewer_set_stalled (Viewer *v, gboolean stalled)
{
  if (v->state != VIEWER_READY || v->stalled == stalled)
    return;
  v->stalled = stalled;
  update_epoll (v);
  if (!stalled)
    on_readable (v);
}

gboolean
viewer_picture_hash (const Viewer *v, guint64 *hash)
{
  if (!v->decode || !v->fb_valid || v->fb == NULL)
    return FALSE;
  *hash = fb_hash (v);
  return TRUE;
}
