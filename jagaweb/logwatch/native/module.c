/* jagaweb.logwatch._native: the compiled part of log scanning (see clf.c and arrow.c). */
#include "arrow.h"
#include "native.h"

static PyMethodDef module_methods[] = {
    {"parse", (PyCFunction)(void (*)(void))parse_clf, METH_VARARGS | METH_KEYWORDS,
     "parse(data, first_line, vhost, referer_agent, max_line_bytes) -> (columns, deferred_lines, deferred_text)"},
    {"newlines", count_newlines, METH_VARARGS, "newlines(data) -> the number of newline bytes in data"},
    {"per_second", count_per_second, METH_VARARGS,
     "per_second(client, time, page) -> {row, pages}: page requests per client and second, and the last row"},
    {"windows", count_windows, METH_VARARGS,
     "windows(client, time, line, n, fresh, alert_client, alert_time, threshold, window_us) -> {row, count}"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT, "_native", "The compiled part of log scanning.", -1, module_methods,
};

static int add_type(PyObject *module, const char *name, PyTypeObject *type) {
    if (PyType_Ready(type) < 0)
        return -1;
    Py_INCREF(type);
    if (PyModule_AddObject(module, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__native(void) {
    PyObject *module = PyModule_Create(&module_definition);
    if (module == NULL)
        return NULL;
    if (add_type(module, "ArrowColumn", &ArrowColumnType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
