/* checkutil.h — the runner every unit test shares: an unexpected
 * g_warning or g_critical fails the test, and the summary line is
 * printed (CK_NORMAL). */
#pragma once

#include <check.h>
#include <glib.h>
#include <stdlib.h>

static GThread *checkutil_main_thread;

static GLogWriterOutput
checkutil_fail_on_warning (GLogLevelFlags   level,
                           const GLogField *fields,
                           gsize            n_fields,
                           gpointer         user_data)
{
  g_log_writer_default (level, fields, n_fields, user_data);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      const char *message = "";
      for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
          message = fields[i].value;
      /* Check can only report from the test's own thread. */
      if (g_thread_self () != checkutil_main_thread)
        g_error ("unexpected log message on another thread: %s", message);
      ck_abort_msg ("unexpected log message: %s", message);
    }
  return G_LOG_WRITER_HANDLED;
}

static inline int
checkutil_run (Suite *suite)
{
  SRunner *runner;
  int failed;

  checkutil_main_thread = g_thread_self ();
  g_log_set_writer_func (checkutil_fail_on_warning, NULL, NULL);
  runner = srunner_create (suite);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
