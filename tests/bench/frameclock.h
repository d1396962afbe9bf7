/* frameclock.h — when the benchmark server last finished a frame.
 *
 * A benchmark server publishes, in a small shared file, the monotonic time
 * (g_get_monotonic_time(), CLOCK_MONOTONIC, the same clock in every
 * process) at which each frame was handed to the VNC server. The load
 * generator maps the file read-only and measures "frame latency": from the
 * newest frame published when an update starts arriving to the update's
 * last byte. Nothing is put into the pixels.
 */
#pragma once

#include <glib.h>

#define FRAME_CLOCK_MAGIC 0x4b4c4346u /* "FCLK" */
#define FRAME_CLOCK_SLOTS 256

typedef struct {
  guint32 magic;
  guint32 slots;
  /* Frames published so far; written after the slot, with release order. */
  guint64 seq;
  /* time_us[(seq - 1) % FRAME_CLOCK_SLOTS] is the newest frame's time. */
  gint64 time_us[FRAME_CLOCK_SLOTS];
} FrameClock;

static inline void
frame_clock_publish (FrameClock *clock, gint64 time_us)
{
  guint64 seq = __atomic_load_n (&clock->seq, __ATOMIC_RELAXED);

  clock->time_us[seq % FRAME_CLOCK_SLOTS] = time_us;
  __atomic_store_n (&clock->seq, seq + 1, __ATOMIC_RELEASE);
}

/* The newest frame's time, or 0 before the first frame. */
static inline gint64
frame_clock_latest (const FrameClock *clock)
{
  guint64 seq = __atomic_load_n (&clock->seq, __ATOMIC_ACQUIRE);

  if (seq == 0)
    return 0;
  return __atomic_load_n (&clock->time_us[(seq - 1) % FRAME_CLOCK_SLOTS], __ATOMIC_RELAXED);
}
