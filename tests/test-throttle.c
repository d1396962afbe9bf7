/* test-throttle.c — wrong passwords counted per address.
 *
 * The policy of throttle.c with times passed in: how many failures are
 * allowed, how long the first block lasts and how later ones grow, what a
 * success forgets, that addresses do not share a count, and that the
 * table stays bounded however many addresses fail.
 */
#include "checkutil.h"

#include "throttle.h"

#define S G_USEC_PER_SEC
#define LIMIT 5
#define FIRST_BLOCK (10 * S)
/* A start time far from zero, as monotonic clocks are. */
#define T0 (G_GINT64_CONSTANT (1000000) * S)

static gint64
fail_once (Throttle *t, const char *address, gint64 now)
{
  return throttle_failed (t, address, now, LIMIT, FIRST_BLOCK, NULL);
}

START_TEST (test_throttle_blocks_after_the_limit)
{
  g_autoptr (Throttle) t = throttle_new ();
  guint failures = 0;

  for (int i = 0; i < LIMIT - 1; i++)
    {
      ck_assert_int_eq (throttle_failed (t, "10.0.0.1", T0 + i, LIMIT, FIRST_BLOCK, &failures), 0);
      ck_assert_uint_eq (failures, (guint) i + 1);
      ck_assert_int_eq (throttle_blocked_for (t, "10.0.0.1", T0 + i), 0);
    }
  ck_assert_int_eq (throttle_failed (t, "10.0.0.1", T0 + S, LIMIT, FIRST_BLOCK, &failures), FIRST_BLOCK);
  ck_assert_uint_eq (failures, LIMIT);
  ck_assert_int_eq (throttle_blocked_for (t, "10.0.0.1", T0 + S), FIRST_BLOCK);
  ck_assert_int_eq (throttle_blocked_for (t, "10.0.0.1", T0 + 4 * S), FIRST_BLOCK - 3 * S);
  ck_assert_int_eq (throttle_blocked_for (t, "10.0.0.1", T0 + S + FIRST_BLOCK), 0);
}
END_TEST

START_TEST (test_throttle_blocks_grow_after_each_failure)
{
  g_autoptr (Throttle) t = throttle_new ();
  gint64 now = T0;
  gint64 expected = FIRST_BLOCK;

  for (int i = 0; i < LIMIT - 1; i++)
    fail_once (t, "10.0.0.1", now);
  for (int round = 0; round < 20; round++)
    {
      gint64 block = fail_once (t, "10.0.0.1", now);
      ck_assert_int_eq (block, MIN (expected, THROTTLE_MAX_BLOCK_US));
      /* Failures during a block do not lengthen it. */
      ck_assert_int_eq (fail_once (t, "10.0.0.1", now + 1), 0);
      ck_assert_int_eq (throttle_blocked_for (t, "10.0.0.1", now + 1), block - 1);
      now += block;
      ck_assert_int_eq (throttle_blocked_for (t, "10.0.0.1", now), 0);
      expected *= 2;
    }
  ck_assert_int_eq (fail_once (t, "10.0.0.1", now), THROTTLE_MAX_BLOCK_US);
}
END_TEST

START_TEST (test_throttle_success_forgets)
{
  g_autoptr (Throttle) t = throttle_new ();

  for (int i = 0; i < LIMIT - 1; i++)
    fail_once (t, "10.0.0.1", T0);
  throttle_succeeded (t, "10.0.0.1");
  ck_assert_uint_eq (throttle_get_n_entries (t), 0);
  for (int i = 0; i < LIMIT - 1; i++)
    ck_assert_int_eq (fail_once (t, "10.0.0.1", T0 + S), 0);
  ck_assert_int_eq (fail_once (t, "10.0.0.1", T0 + S), FIRST_BLOCK);
}
END_TEST

START_TEST (test_throttle_addresses_count_apart)
{
  g_autoptr (Throttle) t = throttle_new ();

  for (int i = 0; i < LIMIT; i++)
    fail_once (t, "10.0.0.1", T0);
  ck_assert_int_gt (throttle_blocked_for (t, "10.0.0.1", T0), 0);
  ck_assert_int_eq (throttle_blocked_for (t, "10.0.0.2", T0), 0);
  ck_assert_int_eq (throttle_blocked_for (t, "::ffff:10.0.0.1", T0), 0);
  ck_assert_int_eq (fail_once (t, "10.0.0.2", T0), 0);
}
END_TEST

START_TEST (test_throttle_limit_zero_counts_nothing)
{
  g_autoptr (Throttle) t = throttle_new ();
  guint failures = 99;

  for (int i = 0; i < 100; i++)
    ck_assert_int_eq (throttle_failed (t, "10.0.0.1", T0, 0, FIRST_BLOCK, &failures), 0);
  ck_assert_uint_eq (failures, 0);
  ck_assert_int_eq (throttle_blocked_for (t, "10.0.0.1", T0), 0);
  ck_assert_uint_eq (throttle_get_n_entries (t), 0);
}
END_TEST

START_TEST (test_throttle_old_failures_are_forgotten)
{
  g_autoptr (Throttle) t = throttle_new ();
  gint64 later = T0 + THROTTLE_FORGET_US + 1;

  for (int i = 0; i < LIMIT - 1; i++)
    fail_once (t, "10.0.0.1", T0);
  /* An hour later the count starts again. */
  for (int i = 0; i < LIMIT - 1; i++)
    ck_assert_int_eq (fail_once (t, "10.0.0.1", later), 0);
  ck_assert_int_eq (fail_once (t, "10.0.0.1", later), FIRST_BLOCK);
}
END_TEST

START_TEST (test_throttle_table_is_bounded)
{
  g_autoptr (Throttle) t = throttle_new ();

  /* One address blocked, then many more fail once each. */
  for (int i = 0; i < LIMIT; i++)
    fail_once (t, "10.0.0.1", T0);
  for (guint i = 0; i < 5 * THROTTLE_MAX_ENTRIES; i++)
    {
      g_autofree char *address = g_strdup_printf ("10.1.%u.%u", i / 256, i % 256);
      fail_once (t, address, T0 + 1 + i);
      ck_assert_uint_le (throttle_get_n_entries (t), THROTTLE_MAX_ENTRIES);
    }
  ck_assert_uint_eq (throttle_get_n_entries (t), THROTTLE_MAX_ENTRIES);
  /* The newest are kept. */
  ck_assert_int_eq (fail_once (t, "10.1.19.255", T0 + 6000), 0);
  ck_assert_uint_eq (throttle_get_n_entries (t), THROTTLE_MAX_ENTRIES);
}
END_TEST

static Suite *
throttle_suite (void)
{
  Suite *s = suite_create ("throttle");
  TCase *tc = tcase_create ("policy");

  tcase_add_test (tc, test_throttle_blocks_after_the_limit);
  tcase_add_test (tc, test_throttle_blocks_grow_after_each_failure);
  tcase_add_test (tc, test_throttle_success_forgets);
  tcase_add_test (tc, test_throttle_addresses_count_apart);
  tcase_add_test (tc, test_throttle_limit_zero_counts_nothing);
  tcase_add_test (tc, test_throttle_old_failures_are_forgotten);
  tcase_add_test (tc, test_throttle_table_is_bounded);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return checkutil_run (throttle_suite ());
}
