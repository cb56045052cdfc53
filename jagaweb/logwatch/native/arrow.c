/* Columns built in C and handed to Polars through the Arrow C data interface (see arrow.h). */
#include "arrow.h"

#include <stdlib.h>
#include <string.h>

#define ARROW_FLAG_NULLABLE 2

static const char *const FORMATS[] = {"l", "i", "tsu:UTC", "vu"};
static const size_t WIDTHS[] = {8, 4, 8, 16};

int column_init(Column *column, enum kind kind, int64_t rows, int64_t text_capacity) {
    memset(column, 0, sizeof(*column));
    column->kind = kind;
    column->validity = calloc((size_t)(rows / 8 + 1), 1);
    column->values = malloc((size_t)(rows + 1) * WIDTHS[kind]);
    if (kind == KIND_TEXT) {
        column->text_capacity = text_capacity > 0 ? text_capacity : 64;
        column->text = malloc((size_t)column->text_capacity + 1);
    }
    return column->validity && column->values && (kind != KIND_TEXT || column->text);
}

void column_free(Column *column) {
    free(column->validity);
    free(column->values);
    free(column->text);
    memset(column, 0, sizeof(*column));
}

int text_grow(Column *column, int64_t size) {
    int64_t needed = column->text_length + size;
    if (needed > TEXT_LIMIT)
        return 0;
    int64_t capacity = column->text_capacity * 2 > needed ? column->text_capacity * 2 : needed;
    capacity = capacity > TEXT_LIMIT ? TEXT_LIMIT : capacity;
    char *text = realloc(column->text, (size_t)capacity + 1);
    if (text == NULL)
        return 0;
    column->text = text;
    column->text_capacity = capacity;
    return 1;
}

/* ---- handing a column over ---- */

/* What an exported array owns: its buffers (validity, values, and for text the one text buffer and the
 * table of text buffer sizes that string views end with) and the table of their addresses. */
typedef struct {
    void *buffers[4];
    const void *table[4];
    int64_t text_sizes[1];
} Owned;

static void release_array(struct ArrowArray *array) {
    Owned *owned = (Owned *)array->private_data;
    for (int index = 0; index < 3; index++)
        free(owned->buffers[index]);
    free(owned);
    array->release = NULL;
}

static void release_schema(struct ArrowSchema *schema) { schema->release = NULL; }

typedef struct {
    PyObject_HEAD
    Column column;
    int exported;
} ArrowColumn;

static void arrow_column_dealloc(ArrowColumn *self) {
    if (!self->exported)
        column_free(&self->column);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static void schema_capsule_free(PyObject *capsule) {
    struct ArrowSchema *schema = PyCapsule_GetPointer(capsule, "arrow_schema");
    if (schema == NULL)
        return;
    if (schema->release != NULL)
        schema->release(schema);
    free(schema);
}

static void array_capsule_free(PyObject *capsule) {
    struct ArrowArray *array = PyCapsule_GetPointer(capsule, "arrow_array");
    if (array == NULL)
        return;
    if (array->release != NULL)
        array->release(array);
    free(array);
}

static PyObject *arrow_c_array(ArrowColumn *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", keywords, &requested))
        return NULL;
    if (self->exported) {
        PyErr_SetString(PyExc_RuntimeError, "this column was already handed over");
        return NULL;
    }
    struct ArrowSchema *schema = calloc(1, sizeof(*schema));
    struct ArrowArray *array = calloc(1, sizeof(*array));
    Owned *owned = calloc(1, sizeof(*owned));
    if (!schema || !array || !owned) {
        free(schema);
        free(array);
        free(owned);
        return PyErr_NoMemory();
    }
    Column *column = &self->column;
    schema->format = FORMATS[column->kind];
    schema->name = "";
    schema->flags = ARROW_FLAG_NULLABLE;
    schema->release = release_schema;
    owned->buffers[0] = column->validity;
    owned->buffers[1] = column->values;
    owned->buffers[2] = column->text;
    for (int index = 0; index < 3; index++)
        owned->table[index] = owned->buffers[index];
    owned->text_sizes[0] = column->text_length;
    owned->table[3] = owned->text_sizes;
    if (column->null_count == 0)
        owned->table[0] = NULL;
    array->length = column->length;
    array->null_count = column->null_count;
    array->n_buffers = column->kind == KIND_TEXT ? 4 : 2;
    array->buffers = owned->table;
    array->release = release_array;
    array->private_data = owned;
    self->exported = 1; /* the buffers belong to the array now, freed by whoever releases it */
    PyObject *schema_capsule = PyCapsule_New(schema, "arrow_schema", schema_capsule_free);
    if (schema_capsule == NULL) {
        free(schema);
        array->release(array);
        free(array);
        return NULL;
    }
    PyObject *array_capsule = PyCapsule_New(array, "arrow_array", array_capsule_free);
    if (array_capsule == NULL) {
        Py_DECREF(schema_capsule);
        array->release(array);
        free(array);
        return NULL;
    }
    return Py_BuildValue("(NN)", schema_capsule, array_capsule);
}

static PyObject *arrow_column_rows(ArrowColumn *self, PyObject *unused) {
    return PyLong_FromLongLong(self->column.length);
}

static PyMethodDef arrow_column_methods[] = {
    {"__arrow_c_array__", (PyCFunction)(void (*)(void))arrow_c_array, METH_VARARGS | METH_KEYWORDS,
     "The column as (schema, array) capsules of the Arrow C data interface; once only."},
    {"rows", (PyCFunction)arrow_column_rows, METH_NOARGS, "How many rows the column holds."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject ArrowColumnType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "jagaweb.logwatch._native.ArrowColumn",
    .tp_basicsize = sizeof(ArrowColumn),
    .tp_dealloc = (destructor)arrow_column_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One column made in C, handed to Polars through the Arrow PyCapsule interface.",
    .tp_methods = arrow_column_methods,
};

/* A new ArrowColumn that takes over `column` (left empty), or NULL with an exception set. */
static PyObject *column_object(Column *column) {
    ArrowColumn *object = PyObject_New(ArrowColumn, &ArrowColumnType);
    if (object == NULL)
        return NULL;
    object->column = *column;
    object->exported = 0;
    memset(column, 0, sizeof(*column));
    return (PyObject *)object;
}

int store_column(PyObject *dict, const char *name, Column *column) {
    PyObject *object = column_object(column);
    if (object == NULL)
        return -1;
    int stored = PyDict_SetItemString(dict, name, object);
    Py_DECREF(object);
    return stored;
}

/* ---- reading a column Polars hands over ---- */

int64_t read_numbers(PyObject *source, const char *format, int64_t width, const char *name, void **values) {
    *values = NULL;
    PyObject *capsule = PyObject_CallMethod(source, "__arrow_c_stream__", NULL);
    if (capsule == NULL)
        return -1;
    struct ArrowArrayStream *stream = PyCapsule_GetPointer(capsule, "arrow_array_stream");
    struct ArrowSchema schema = {0};
    int64_t rows = 0, capacity = 0;
    char *buffer = NULL;
    if (stream == NULL)
        goto failed;
    if (stream->get_schema(stream, &schema) != 0) {
        PyErr_Format(PyExc_ValueError, "%s: no schema", name);
        goto failed;
    }
    int same_format = strcmp(schema.format, format) == 0;
    schema.release(&schema);
    if (!same_format) {
        PyErr_Format(PyExc_TypeError, "%s: wanted Arrow format '%s'", name, format);
        goto failed;
    }
    for (;;) {
        struct ArrowArray array = {0};
        if (stream->get_next(stream, &array) != 0) {
            PyErr_Format(PyExc_ValueError, "%s: the column could not be read", name);
            goto failed;
        }
        if (array.release == NULL)
            break;  /* the end of the stream */
        if (array.null_count != 0 || array.n_buffers != 2) {
            array.release(&array);
            PyErr_Format(PyExc_ValueError, "%s: a column without nulls was expected", name);
            goto failed;
        }
        if (rows + array.length > capacity) {
            capacity = (rows + array.length) * 2;
            char *grown = realloc(buffer, (size_t)(capacity * width));
            if (grown == NULL) {
                array.release(&array);
                PyErr_NoMemory();
                goto failed;
            }
            buffer = grown;
        }
        if (array.length)
            memcpy(buffer + rows * width, (const char *)array.buffers[1] + array.offset * width,
                   (size_t)(array.length * width));
        rows += array.length;
        array.release(&array);
    }
    Py_DECREF(capsule);
    *values = buffer != NULL ? buffer : malloc((size_t)width);
    if (*values == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return rows;
failed:
    free(buffer);
    Py_DECREF(capsule);
    return -1;
}
