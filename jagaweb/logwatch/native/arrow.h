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

struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

/* The value types a column can hold: Int64, Int32, Datetime(us, UTC), String. */
enum kind { KIND_INT64, KIND_INT32, KIND_TIME, KIND_TEXT };

/* One column being filled: values, or views and text (Arrow's string view, the layout Polars keeps strings
 * in, so that it takes the column as it is instead of converting it), and validity. */
typedef struct {
    enum kind kind;
    int64_t length;
    int64_t null_count;
    uint8_t *validity;
    void *values; /* the values, or 16-byte views for text */
    char *text;   /* the bytes of the strings longer than a view holds */
    int64_t text_length;
    int64_t text_capacity;
} Column;

/* A string of up to 12 bytes lies in its view; a longer one is in the text, which a view's 32-bit offset
 * must reach. */
#define VIEW_INLINE 12
#define TEXT_LIMIT INT32_MAX

/* A column for at most `rows` values (text columns start with `text_capacity` bytes and grow); 0 when out
 * of memory. */
int column_init(Column *column, enum kind kind, int64_t rows, int64_t text_capacity);
void column_free(Column *column);
int text_grow(Column *column, int64_t size);

static inline void mark(Column *column, int valid) {
    if (valid)
        column->validity[column->length >> 3] |= (uint8_t)(1u << (column->length & 7));
    else
        column->null_count++;
}

/* The pushes are here, inline, since the reader calls them a dozen times a line. */
static inline void push_int(Column *column, int64_t value, int valid) {
    mark(column, valid);
    value = valid ? value : 0;
    if (column->kind == KIND_INT32)
        ((int32_t *)column->values)[column->length] = (int32_t)value;
    else
        ((int64_t *)column->values)[column->length] = value;
    column->length++;
}

/* A view: the length, then the string itself when it fits, else its first four bytes, the buffer (always
 * the first) and where in it the string starts. Text buffers start small and double as they fill: what
 * Polars keeps of a column keeps its whole buffer. Returns 0 when memory runs out or the text would grow
 * past what a view can point to. */
static inline int push_text(Column *column, const char *start, int64_t size, int valid) {
    uint8_t *view = (uint8_t *)column->values + column->length * 16;
    memset(view, 0, 16);
    mark(column, valid);
    column->length++;
    if (!valid)
        return 1;
    int32_t length = (int32_t)size;
    memcpy(view, &length, 4);
    if (size <= VIEW_INLINE) {
        memcpy(view + 4, start, (size_t)size);
        return 1;
    }
    if (column->text_length + size > column->text_capacity && !text_grow(column, size))
        return 0;
    int32_t offset = (int32_t)column->text_length;
    memcpy(view + 4, start, 4);
    memcpy(view + 12, &offset, 4); /* the buffer index, bytes 8-11, is 0 */
    memcpy(column->text + column->text_length, start, (size_t)size);
    column->text_length += size;
    return 1;
}

/* The Python type of a finished column, owned until Polars takes it (`__arrow_c_array__`, once). */
extern PyTypeObject ArrowColumnType;

/* Store `column` in `dict` under `name`, as an ArrowColumn; -1 with an exception set on failure. */
int store_column(PyObject *dict, const char *name, Column *column);

/* The values of `source` (a Polars Series, through `__arrow_c_stream__`) of the Arrow `format`, `width` bytes
 * each and no nulls, copied into one new buffer (`values`, to free); the number of rows, or -1 with an
 * exception set (`name` says which column). */
int64_t read_numbers(PyObject *source, const char *format, int64_t width, const char *name, void **values);

#endif
