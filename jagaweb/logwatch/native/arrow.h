/* Columns built in C and handed to Polars through the Arrow C data interface
 * (https://arrow.apache.org/docs/format/CDataInterface.html) and its PyCapsule protocol. */
#ifndef JAGAWEB_ARROW_H
#define JAGAWEB_ARROW_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

/* The value types a column can hold: Int64, Int32, Datetime(us, UTC), String, UInt32, Int8, Date. */
enum kind { KIND_INT64, KIND_INT32, KIND_TIME, KIND_TEXT, KIND_UINT32, KIND_INT8, KIND_DATE };

/* One column being filled: values, or offsets and text (large UTF-8), and validity. */
typedef struct {
    enum kind kind;
    int64_t length;
    int64_t capacity;
    int64_t null_count;
    uint8_t *validity;
    void *values; /* the values, or int64_t offsets for text */
    char *text;
    int64_t text_length;
    int64_t text_capacity;
} Column;

/* A column for `rows` values (text columns start with `text_capacity` bytes and grow); 0 when out of memory. */
int column_init(Column *column, enum kind kind, int64_t rows, int64_t text_capacity);
void column_free(Column *column);
int column_grow(Column *column);
int text_grow(Column *column, int64_t size);

static inline void mark(Column *column, int valid) {
    if (valid)
        column->validity[column->length >> 3] |= (uint8_t)(1u << (column->length & 7));
    else
        column->null_count++;
}

/* Each push returns 0 when memory runs out; a column grows past the rows it was made for. They are here,
 * inline, since the reader calls them a dozen times a line. */
static inline int push_int(Column *column, int64_t value, int valid) {
    if (column->length == column->capacity && !column_grow(column))
        return 0;
    mark(column, valid);
    value = valid ? value : 0;
    switch (column->kind) {
    case KIND_INT32:
    case KIND_DATE:
        ((int32_t *)column->values)[column->length] = (int32_t)value;
        break;
    case KIND_UINT32:
        ((uint32_t *)column->values)[column->length] = (uint32_t)value;
        break;
    case KIND_INT8:
        ((int8_t *)column->values)[column->length] = (int8_t)value;
        break;
    default:
        ((int64_t *)column->values)[column->length] = value;
    }
    column->length++;
    return 1;
}

/* Text buffers start small and double as they fill: what Polars keeps of a column keeps its whole buffer. */
static inline int push_text(Column *column, const char *start, int64_t size, int valid) {
    if (column->length == column->capacity && !column_grow(column))
        return 0;
    if (valid && column->text_length + size > column->text_capacity && !text_grow(column, size))
        return 0;
    mark(column, valid);
    if (valid) {
        memcpy(column->text + column->text_length, start, (size_t)size);
        column->text_length += size;
    }
    column->length++;
    ((int64_t *)column->values)[column->length] = column->text_length;
    return 1;
}

/* The Python object that owns a finished column until Polars takes it (`__arrow_c_array__`, once). */
typedef struct {
    PyObject_HEAD
    Column column;
    int exported;
} ArrowColumn;

extern PyTypeObject ArrowColumnType;

/* A new ArrowColumn that takes over `column` (left empty), or NULL with an exception set. */
PyObject *column_object(Column *column);
/* Store `column` in `dict` under `name`, as an ArrowColumn; -1 with an exception set on failure. */
int store_column(PyObject *dict, const char *name, Column *column);

#endif
