/* transport-stack.c — a transport made of two, outer under inner.
 *
 * Input goes through the outer one into the middle buffer, then through
 * the inner one. Output goes through the inner one, then what it made
 * through the outer one. The inner one's own replies (a WebSocket pong)
 * are protocol bytes to the outer one and are wrapped by it; the outer
 * one's replies go straight to the wire, in the order they were made.
 */
#include "transport-stack.h"

typedef struct {
  Transport parent;
  TransportFuncs funcs;        /* the static ones, with a name of its own */
  char *name;                  /* "WebSocket over TLS" */
  Transport *outer;
  Transport *inner;
  GByteArray *middle;          /* from the outer one, for the inner one */
} StackTransport;

static gboolean
stack_unwrap (Transport *transport, GByteArray *wire, GByteArray *plain, GQueue *replies, GError **error)
{
  StackTransport *stack = (StackTransport *) transport;
  GQueue inner_replies = G_QUEUE_INIT;
  gboolean go_on;

  if (!stack->outer->funcs->unwrap (stack->outer, wire, stack->middle, replies, error))
    return FALSE;
  go_on = stack->inner->funcs->unwrap (stack->inner, stack->middle, plain, &inner_replies, error);
  if (inner_replies.length > 0)
    {
      GBytes *reply;
      stack->outer->funcs->wrap (stack->outer, &inner_replies, inner_replies.length);
      while ((reply = g_queue_pop_head (&inner_replies)) != NULL)
        g_queue_push_tail (replies, reply);
    }
  return go_on;
}

static void
stack_wrap (Transport *transport, GQueue *output, guint n)
{
  StackTransport *stack = (StackTransport *) transport;
  guint before = output->length - n;

  stack->inner->funcs->wrap (stack->inner, output, n);
  /* The inner one may have added items (a frame header) or taken some. */
  stack->outer->funcs->wrap (stack->outer, output, output->length - before);
}

static GBytes *
stack_goodbye (Transport *transport)
{
  StackTransport *stack = (StackTransport *) transport;
  GQueue parts = G_QUEUE_INIT;
  GBytes *part;
  g_autoptr (GByteArray) all = g_byte_array_new ();

  part = stack->inner->funcs->goodbye (stack->inner);
  if (part != NULL)
    {
      g_queue_push_tail (&parts, part);
      stack->outer->funcs->wrap (stack->outer, &parts, 1);
    }
  part = stack->outer->funcs->goodbye (stack->outer);
  if (part != NULL)
    g_queue_push_tail (&parts, part);
  while ((part = g_queue_pop_head (&parts)) != NULL)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (part, &size);
      g_byte_array_append (all, data, (guint) size);
      g_bytes_unref (part);
    }
  if (all->len == 0)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&all));
}

static void
stack_free (Transport *transport)
{
  StackTransport *stack = (StackTransport *) transport;

  transport_free (stack->inner);
  transport_free (stack->outer);
  g_byte_array_unref (stack->middle);
  g_free (stack->name);
  g_free (stack);
}

Transport *
transport_stack_new (Transport *outer, Transport *inner)
{
  StackTransport *stack = g_new0 (StackTransport, 1);

  stack->outer = outer;
  stack->inner = inner;
  stack->middle = g_byte_array_new ();
  stack->name = g_strdup_printf ("%s over %s", inner->funcs->name, outer->funcs->name);
  stack->funcs.name = stack->name;
  stack->funcs.unwrap = stack_unwrap;
  stack->funcs.wrap = stack_wrap;
  stack->funcs.goodbye = stack_goodbye;
  stack->funcs.free = stack_free;
  stack->parent.funcs = &stack->funcs;
  return &stack->parent;
}

GByteArray *
transport_inner_wire (Transport *transport, GByteArray *wire)
{
  if (transport == NULL || transport->funcs->unwrap != stack_unwrap)
    return wire;
  return transport_inner_wire (((StackTransport *) transport)->inner, ((StackTransport *) transport)->middle);
}
