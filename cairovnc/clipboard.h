/* clipboard.h — clipboard text between the program and the viewers.
 *
 * Two forms on the wire: the original ServerCutText / ClientCutText with
 * ISO 8859-1 text, and the Extended Clipboard (rfbproto.rst "Extended
 * Clipboard Pseudo-Encoding"): the same messages with a negative length,
 * carrying flags (formats and one action) and, for "provide", a zlib
 * stream of (size, data) per format. Text, RTF and HTML are handled;
 * other formats a viewer provides are skipped.
 *
 * The program's clipboard is a ClipboardData, built once when it is set
 * (on the program's thread) and shared by every viewer. A ClipboardPeer
 * is one viewer's side of the exchange: what it can take and what it is
 * owed. Everything here is pure: bytes in, bytes or messages out.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Flags (rfbproto.rst "Extended Clipboard Pseudo-Encoding"). */
#define CLIPBOARD_FORMAT_TEXT (1u << 0)
#define CLIPBOARD_FORMAT_RTF (1u << 1)
#define CLIPBOARD_FORMAT_HTML (1u << 2)
#define CLIPBOARD_FORMAT_DIB (1u << 3)
#define CLIPBOARD_FORMAT_FILES (1u << 4)
#define CLIPBOARD_FORMATS 0x0000ffffu
#define CLIPBOARD_ACTION_CAPS (1u << 24)
#define CLIPBOARD_ACTION_REQUEST (1u << 25)
#define CLIPBOARD_ACTION_PEEK (1u << 26)
#define CLIPBOARD_ACTION_NOTIFY (1u << 27)
#define CLIPBOARD_ACTION_PROVIDE (1u << 28)
#define CLIPBOARD_ACTIONS 0xff000000u

/* The formats this server takes and gives: text, RTF, HTML (bits 0–2). */
#define CLIPBOARD_N_KNOWN 3
#define CLIPBOARD_KNOWN_FORMATS (CLIPBOARD_FORMAT_TEXT | CLIPBOARD_FORMAT_RTF | CLIPBOARD_FORMAT_HTML)
#define CLIPBOARD_SERVER_ACTIONS (CLIPBOARD_ACTION_CAPS | CLIPBOARD_ACTION_REQUEST | CLIPBOARD_ACTION_PEEK | \
                                  CLIPBOARD_ACTION_NOTIFY | CLIPBOARD_ACTION_PROVIDE)

/* What a viewer takes: formats and actions, and per format the largest
 * data it wants unasked. */
typedef struct {
  guint32 flags;
  guint32 max_size[16];
} ClipboardCaps;

/* The capabilities assumed until a viewer sends its own: text, RTF, HTML;
 * request, notify, provide; 20 MiB of text unasked, nothing else. */
void clipboard_caps_default (ClipboardCaps *caps);

/* The program's clipboard. Immutable once made; any thread may hold it. */
typedef struct {
  gint ref;
  guint id;                 /* unique to this clipboard, never 0 */
  char *text;               /* UTF-8, lines end in LF; or NULL */
  char *rtf;                /* or NULL */
  char *html;               /* UTF-8, a fragment or a CF_HTML document; or NULL */
  gsize wire_size[CLIPBOARD_N_KNOWN]; /* each present format's size on the Extended Clipboard */
  GBytes *legacy;           /* a whole ServerCutText in ISO 8859-1, or NULL when
                             * there is no text or it cannot be written so */
  GBytes *provide;          /* a whole extended "provide" of every format */
} ClipboardData;

/* Lines of @text may end in CRLF or LF; they are kept as LF. */
ClipboardData *clipboard_data_new (const char *text, const char *rtf, const char *html, int zlib_level);
ClipboardData *clipboard_data_ref (ClipboardData *data);
void clipboard_data_unref (ClipboardData *data);
guint32 clipboard_data_get_formats (const ClipboardData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClipboardData, clipboard_data_unref)

/* Conversions. */
/* CRLF to LF. */
char *clipboard_text_to_lf (const char *text, gsize len);
/* ISO 8859-1 bytes of @utf8, or NULL when a character has no place there. */
guint8 *clipboard_utf8_to_latin1 (const char *utf8, gsize *len);
/* From a legacy ClientCutText: ISO 8859-1 to UTF-8, lines ending in LF. */
char *clipboard_text_from_latin1 (const guint8 *data, gsize len);
/* An HTML fragment in a CF_HTML document ("Version:0.9" header and byte
 * offsets), as the Extended Clipboard's html format is; a document that
 * has its header already is returned as it is. */
char *clipboard_html_wrap (const char *html);
/* The fragment of a CF_HTML document (else its HTML part, else all of it
 * when there is no header), valid UTF-8. */
char *clipboard_html_unwrap (const guint8 *data, gsize len);

/* Builders of whole ServerCutText messages. */
GBytes *clipboard_build_legacy (const guint8 *latin1, gsize len);
/* Our capabilities: text, RTF and HTML up to @max_size bytes each unasked,
 * and every action. */
GBytes *clipboard_build_caps (guint32 max_size);
/* request, peek or notify: flags only. */
GBytes *clipboard_build_action (guint32 action, guint32 formats);
/* provide: the formats of @formats that @data has (@data may be NULL). */
GBytes *clipboard_build_provide (const ClipboardData *data, guint32 formats, int zlib_level);

/* One extended ClientCutText, read. */
typedef struct {
  guint32 flags;
  guint32 action;           /* CAPS, or the one action bit that is set */
  guint32 formats;          /* flags & CLIPBOARD_FORMATS */
  ClipboardCaps caps;       /* CAPS */
  char *text;               /* PROVIDE, each NULL when not provided */
  char *rtf;
  char *html;
} ClipboardMessage;

void clipboard_message_clear (ClipboardMessage *msg);

/* Reads the |length| bytes of an extended ClientCutText. A "provide" is
 * inflated a piece at a time and stops at the first format over
 * @max_size bytes, or when the stream is corrupt or cut short: the
 * memory used follows the data that really comes, never a size the
 * viewer claims. FALSE with @error saying why. */
gboolean clipboard_parse_extended (const guint8     *data,
                                   gsize             len,
                                   gsize             max_size,
                                   ClipboardMessage *msg,
                                   GError          **error);

/* One viewer's side of the exchange. Zero it, then clipboard_peer_init(). */
typedef struct {
  gboolean extended;        /* it announced the Extended Clipboard */
  ClipboardCaps caps;       /* what it takes */
  gboolean caps_due;        /* our capabilities are owed */
  gboolean offer_due;       /* the program's clipboard is to be offered */
  guint offered_id;         /* the clipboard offered last, 0 for none */
  guint32 provide_due;      /* formats it asked for */
  gboolean notify_due;      /* it peeked */
  guint32 request_due;      /* formats to ask it for */
} ClipboardPeer;

void clipboard_peer_init (ClipboardPeer *peer);

/* The next message owed to the viewer, clearing what it answers; NULL
 * when nothing is owed. When an offer cannot be made, *@not_sent says why
 * (a static string, for a log line) and the offer is dropped. Flags make
 * repeated requests coalesce: however much a viewer asks while its
 * output waits, at most one message of each kind is owed. */
GBytes *clipboard_peer_next_message (ClipboardPeer       *peer,
                                     const ClipboardData *current,
                                     guint32              max_size,
                                     int                  zlib_level,
                                     const char         **not_sent);

G_END_DECLS
