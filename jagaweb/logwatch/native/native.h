/* What the parts of jagaweb.logwatch._native share with its module definition. */
#ifndef JAGAWEB_NATIVE_H
#define JAGAWEB_NATIVE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* clf.c: parse(data, first_line, vhost, referer_agent, max_line_bytes) */
PyObject *parse_clf(PyObject *module, PyObject *args, PyObject *kwargs);
/* clf.c: newlines(data), as bytes.count(b"\n") but with memchr, several times as fast */
PyObject *count_newlines(PyObject *module, PyObject *args);

/* window.c: windows(client, time, line, n, fresh, alert_client, alert_time, threshold, window_us) */
PyObject *count_windows(PyObject *module, PyObject *args);
/* window.c: per_second(client, time, page) */
PyObject *count_per_second(PyObject *module, PyObject *args);

#endif
