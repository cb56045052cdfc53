/* The Common Log Format family (common, combined, vhost_combined) read in one pass in C.
 *
 * parse(data, first_line, vhost, referer_agent, max_line_bytes) reads the whole lines in `data` and returns
 * (columns, deferred_lines, deferred_text). `columns` maps a column name to an ArrowColumn (arrow.h) with
 * one row per line read here. A line is read here only when it is plainly well formed: printable ASCII,
 * the layout's exact shape, a time written the usual way (`10/Oct/2000:13:55:36 -0700`) and a request line
 * of three words ending in the protocol. Every other line (empty, binary, non-ASCII, an odd time or request
 * line, a number too long) is deferred: its number goes to `deferred_lines` and its text, with a newline,
 * to `deferred_text`, for the Polars parser (jagaweb/logwatch/formats/clf.py), which decides what it is. So
 * this file only has to agree with that parser on the lines it reads, and the tests check that it does.
 */
#include "arrow.h"
#include "native.h"

#include <stdlib.h>
#include <string.h>

/* In the order of the format columns (jagaweb.logwatch.formats.base.FORMAT_COLUMNS). */
enum column_index {
    C_LINE, C_IP, C_TIME, C_METHOD, C_TARGET, C_PROTOCOL, C_REQUEST, C_STATUS, C_BYTES, C_REFERER, C_AGENT,
    C_VHOST, N_COLUMNS
};

static const char *const NAMES[N_COLUMNS] = {"line",    "ip",     "time",    "method", "target", "protocol",
                                             "request", "status", "bytes",   "referer", "agent", "vhost"};
static const enum kind KINDS[N_COLUMNS] = {KIND_INT64, KIND_TEXT,  KIND_TIME,  KIND_TEXT, KIND_TEXT, KIND_TEXT,
                                           KIND_TEXT,  KIND_INT32, KIND_INT64, KIND_TEXT, KIND_TEXT, KIND_TEXT};

typedef struct {
    const char *start;
    int64_t size;
} Span;

typedef struct {
    Span ip, vhost, request, method, target, protocol, referer, agent;
    int64_t time_us;
    int status, has_bytes;
    int64_t bytes;
} Fields;

/* A request's time lies in [1000-01-01, 9999-01-01) UTC, as jagaweb.logwatch.formats.base says. */
#define EARLIEST_TIME_US (-30610224000000000LL)
#define LATEST_TIME_US 253370764800000000LL

static const char MONTHS[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* 1-12 for "Jan".."Dec" exactly, else 0. The three letters as one number, compared with each month's. */
static int month_number(const char *at) {
    uint32_t word = (uint32_t)(unsigned char)at[0] | (uint32_t)(unsigned char)at[1] << 8 |
                    (uint32_t)(unsigned char)at[2] << 16;
    for (int index = 0; index < 12; index++) {
        const char *name = MONTHS[index];
        if (word == ((uint32_t)(unsigned char)name[0] | (uint32_t)(unsigned char)name[1] << 8 |
                     (uint32_t)(unsigned char)name[2] << 16))
            return index + 1;
    }
    return 0;
}

static inline int is_digit(char c) { return c >= '0' && c <= '9'; }

static inline int two_digits(const char *at) {
    return is_digit(at[0]) && is_digit(at[1]) ? (at[0] - '0') * 10 + (at[1] - '0') : -1;
}

static int64_t days_from_civil(int64_t year, int month, int day) {
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static int month_days(int64_t year, int month) {
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

/* "10/Oct/2000:13:55:36 -0700" exactly, with every field in range; anything else is left to Polars. */
static int read_time(const char *at, int64_t *time_us) {
    if (at[2] != '/' || at[6] != '/' || at[11] != ':' || at[14] != ':' || at[17] != ':' || at[20] != ' ')
        return 0;
    int day = two_digits(at), hour = two_digits(at + 12), minute = two_digits(at + 15);
    int second = two_digits(at + 18), offset_hours = two_digits(at + 22), offset_minutes = two_digits(at + 24);
    int century = two_digits(at + 7), years = two_digits(at + 9);
    if (day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 ||
        offset_hours < 0 || offset_hours > 23 || offset_minutes < 0 || offset_minutes > 59 || century < 0 ||
        years < 0 || (at[21] != '+' && at[21] != '-'))
        return 0;
    int month = month_number(at + 3);
    int64_t year = century * 100 + years;
    if (month == 0 || year < 1000 || day > month_days(year, month))
        return 0;
    int64_t offset = (offset_hours * 3600 + offset_minutes * 60) * (at[21] == '-' ? -1 : 1);
    int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
    *time_us = seconds * 1000000;
    return *time_us >= EARLIEST_TIME_US && *time_us < LATEST_TIME_US;
}

/* The next space-free word at `*at` (at least one byte) followed by one space; moves past the space. */
static int read_word(const char **at, const char *end, Span *word) {
    const char *start = *at;
    const char *space = memchr(start, ' ', (size_t)(end - start));
    if (space == NULL || space == start)
        return 0;
    word->start = start;
    word->size = space - start;
    *at = space + 1;
    return 1;
}

/* `[vhost] ip ident user [time] ` up to the request's opening quote, as the layout's head expression. */
static int read_head(const char *start, const char *end, int vhost, Fields *fields) {
    const char *at = start;
    Span ignored;
    if (vhost && !read_word(&at, end, &fields->vhost))
        return 0;
    if (!read_word(&at, end, &fields->ip) || !read_word(&at, end, &ignored) || !read_word(&at, end, &ignored))
        return 0;
    /* 26 bytes of time between the brackets, then "] " and the quote */
    if (end - at != 29 || at[0] != '[' || at[27] != ']' || at[28] != ' ')
        return 0;
    if (memchr(at + 1, ']', 26) != NULL)
        return 0;
    return read_time(at + 1, &fields->time_us);
}

/* " 200 1234 " (combined: exactly; common: any spaces after). Status "-" and bytes "-" are nulls. */
static int read_status_bytes(const char *at, const char *end, int trailing_spaces, Fields *fields) {
    if (end - at < 5 || *at != ' ')
        return 0;
    at++;
    if (*at == '-') {
        fields->status = -1;
        at++;
    } else if (end - at >= 3 && is_digit(at[0]) && is_digit(at[1]) && is_digit(at[2])) {
        fields->status = (at[0] - '0') * 100 + (at[1] - '0') * 10 + (at[2] - '0');
        at += 3;
    } else {
        return 0;
    }
    if (at >= end || *at != ' ')
        return 0;
    at++;
    if (at < end && *at == '-') {
        fields->has_bytes = 0;
        at++;
    } else {
        const char *first = at;
        int64_t value = 0;
        while (at < end && is_digit(*at))
            value = value * 10 + (*at++ - '0');
        if (at == first || at - first > 18) /* a longer number may not fit: Polars decides */
            return 0;
        fields->has_bytes = 1;
        fields->bytes = value;
    }
    if (trailing_spaces) {
        while (at < end && *at == ' ')
            at++;
        return at == end;
    }
    return end - at == 1 && *at == ' ';
}

/* Printable ASCII only (0x20-0x7e): anything else is left to Polars. Written without an early exit so that
 * the compiler can test many bytes at once. */
static int printable_ascii(const char *start, const char *end) {
    unsigned char outside = 0;
    for (const unsigned char *at = (const unsigned char *)start; at < (const unsigned char *)end; at++)
        outside |= (unsigned char)(*at - 0x20) > 0x5e;
    return !outside;
}

/* A backslash right before a quote (Apache's escape inside a logged header). */
static int escaped_quote(const char *start, const char *end) {
    for (const char *at = memchr(start, '\\', (size_t)(end - start)); at != NULL && at + 1 < end;
         at = memchr(at + 1, '\\', (size_t)(end - at - 1)))
        if (at[1] == '"')
            return 1;
    return 0;
}

/* The closing quote of a quoted field that opens at `open`, as the full expression reads one when the line
 * holds an escaped quote: a backslash takes the next byte with it. */
static const char *closing_quote(const char *open, const char *end) {
    for (const char *at = open + 1; at < end; at++) {
        if (*at == '\\')
            at++;
        else if (*at == '"')
            return at;
    }
    return NULL;
}

/* Where the quoted fields open and close. Without an escaped quote in the line, the layout's fields are
 * cut at every quote; with one, each field runs to its first unescaped quote and what follows the last one
 * must be the end or a space. */
static int find_quotes(const char *start, const char *end, int wanted, int escaped, const char **quotes) {
    const char *at = start;
    for (int found = 0; found < wanted; found += 2) {
        at = memchr(at, '"', (size_t)(end - at));
        if (at == NULL)
            return 0;
        quotes[found] = at;
        at = escaped ? closing_quote(at, end) : memchr(at + 1, '"', (size_t)(end - at - 1));
        if (at == NULL)
            return 0;
        quotes[found + 1] = at++;
    }
    return 1;
}

/* "GET /index.php HTTP/1.1": exactly three words, the last starting "HTTP/" (a word may be empty, as when
 * Polars splits it). Any other request line is left to Polars, whose expression reads the odd ones. */
static int read_request(Fields *fields) {
    const char *start = fields->request.start, *end = start + fields->request.size;
    const char *first = memchr(start, ' ', (size_t)(end - start));
    if (first == NULL)
        return 0;
    const char *second = memchr(first + 1, ' ', (size_t)(end - first - 1));
    if (second == NULL || memchr(second + 1, ' ', (size_t)(end - second - 1)) != NULL)
        return 0;
    if (end - second - 1 < 5 || memcmp(second + 1, "HTTP/", 5) != 0)
        return 0;
    fields->method = (Span){start, first - start};
    fields->target = (Span){first + 1, second - first - 1};
    fields->protocol = (Span){second + 1, end - second - 1};
    return 1;
}

/* A line in the layout's exact shape, printable ASCII; 0 leaves it to Polars. */
static int read_line(const char *start, const char *end, int vhost, int referer_agent, Fields *fields) {
    if (!printable_ascii(start, end))
        return 0;
    int escaped = escaped_quote(start, end);
    const char *quotes[6];
    int wanted = referer_agent ? 6 : 2;
    if (!find_quotes(start, end, wanted, escaped, quotes) || !read_head(start, quotes[0], vhost, fields))
        return 0;
    fields->request = (Span){quotes[0] + 1, quotes[1] - quotes[0] - 1};
    if (!read_request(fields))
        return 0;
    if (!referer_agent) {
        /* the full expression allows spaces after the byte count too, as the cut one does */
        return read_status_bytes(quotes[1] + 1, end, 1, fields);
    }
    if (!read_status_bytes(quotes[1] + 1, quotes[2], 0, fields))
        return 0;
    if (quotes[3] + 2 != quotes[4] || quotes[3][1] != ' ')
        return 0;
    /* after the agent: the end or a space; or, cut at every quote, straight away another quote */
    const char *after = quotes[5] + 1;
    if (after < end && *after != ' ' && (escaped || *after != '"'))
        return 0;
    fields->referer = (Span){quotes[2] + 1, quotes[3] - quotes[2] - 1};
    fields->agent = (Span){quotes[4] + 1, quotes[5] - quotes[4] - 1};
    return 1;
}

static inline int is_dash(Span span) { return span.size == 1 && span.start[0] == '-'; }

/* "host:443" -> "host": a colon followed by digits only, at the end. */
static Span without_port(Span host) {
    int64_t at = host.size;
    while (at > 0 && is_digit(host.start[at - 1]))
        at--;
    if (at < host.size && at > 0 && host.start[at - 1] == ':')
        host.size = at - 1;
    return host;
}

/* ---- the module function ---- */

/* Returns 0 when memory runs out. */
static int add_row(Column *columns, int64_t line, const Fields *fields, int vhost, int referer_agent) {
    Span host = without_port(fields->vhost);
    push_int(&columns[C_LINE], line, 1);
    push_int(&columns[C_TIME], fields->time_us, 1);
    push_int(&columns[C_STATUS], fields->status, fields->status >= 0);
    push_int(&columns[C_BYTES], fields->bytes, fields->has_bytes);
    return push_text(&columns[C_IP], fields->ip.start, fields->ip.size, 1) &&
           push_text(&columns[C_METHOD], fields->method.start, fields->method.size, 1) &&
           push_text(&columns[C_TARGET], fields->target.start, fields->target.size, 1) &&
           push_text(&columns[C_PROTOCOL], fields->protocol.start, fields->protocol.size, 1) &&
           push_text(&columns[C_REQUEST], fields->request.start, fields->request.size, 1) &&
           push_text(&columns[C_REFERER], fields->referer.start, fields->referer.size,
                     referer_agent && !is_dash(fields->referer)) &&
           push_text(&columns[C_AGENT], fields->agent.start, fields->agent.size,
                     referer_agent && !is_dash(fields->agent)) &&
           push_text(&columns[C_VHOST], host.start, host.size, vhost);
}

PyObject *parse_clf(PyObject *module, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"data", "first_line", "vhost", "referer_agent", "max_line_bytes", NULL};
    Py_buffer view;
    long long first_line;
    int vhost, referer_agent;
    long long max_line_bytes;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "y*Lppl", keywords, &view, &first_line, &vhost,
                                     &referer_agent, &max_line_bytes))
        return NULL;
    if (view.len > TEXT_LIMIT) { /* a view's offset could not reach the end of a column's text */
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "parse: at most 2 GiB at a time");
        return NULL;
    }
    const char *data = view.buf;
    const char *data_end = data + view.len;
    int64_t lines = 0;
    for (const char *at = data; (at = memchr(at, '\n', (size_t)(data_end - at))) != NULL; at++)
        lines++;
    lines += 1; /* the most rows there can be, which the columns are made for: the newlines, and a last line */
    Column columns[N_COLUMNS];
    memset(columns, 0, sizeof(columns));
    char *deferred_text = malloc((size_t)view.len + 1);
    int64_t deferred_length = 0;
    PyObject *deferred_lines = PyList_New(0);
    int ready = deferred_text != NULL && deferred_lines != NULL;
    for (int index = 0; index < N_COLUMNS && ready; index++)
        ready = column_init(&columns[index], KINDS[index], lines, view.len / 16 + 64);
    if (!ready) {
        PyErr_NoMemory();
        goto failed;
    }
    int64_t number = first_line;
    int out_of_memory = 0;
    Py_BEGIN_ALLOW_THREADS
    for (const char *start = data; start < data_end; number++) {
        const char *newline = memchr(start, '\n', (size_t)(data_end - start));
        const char *end = newline ? newline : data_end;
        const char *next = newline ? newline + 1 : data_end;
        const char *content_end = end > start && end[-1] == '\r' ? end - 1 : end;
        Fields fields = {0};
        if (content_end > start && content_end - start <= max_line_bytes &&
            read_line(start, content_end, vhost, referer_agent, &fields)) {
            if (!add_row(columns, number, &fields, vhost, referer_agent)) {
                out_of_memory = 1;
                break;
            }
        } else {
            memcpy(deferred_text + deferred_length, start, (size_t)(end - start));
            deferred_length += end - start;
            deferred_text[deferred_length++] = '\n';
        }
        start = next;
    }
    Py_END_ALLOW_THREADS
    if (out_of_memory) {
        PyErr_NoMemory();
        goto failed;
    }
    /* the deferred numbers: the gaps in the line column, listed once the interpreter is held again */
    {
        const int64_t *read_numbers = (const int64_t *)columns[C_LINE].values;
        int64_t row = 0;
        for (int64_t line = first_line; line < number; line++) {
            if (row < columns[C_LINE].length && read_numbers[row] == line) {
                row++;
                continue;
            }
            PyObject *value = PyLong_FromLongLong(line);
            if (value == NULL || PyList_Append(deferred_lines, value) < 0) {
                Py_XDECREF(value);
                goto failed;
            }
            Py_DECREF(value);
        }
    }
    PyObject *result_columns = PyDict_New();
    if (result_columns == NULL)
        goto failed;
    for (int index = 0; index < N_COLUMNS; index++) {
        if (store_column(result_columns, NAMES[index], &columns[index]) < 0) {
            Py_DECREF(result_columns);
            goto failed;
        }
    }
    PyObject *text = PyBytes_FromStringAndSize(deferred_text, deferred_length);
    free(deferred_text);
    PyBuffer_Release(&view);
    if (text == NULL) {
        Py_DECREF(result_columns);
        Py_DECREF(deferred_lines);
        return NULL;
    }
    return Py_BuildValue("(NNN)", result_columns, deferred_lines, text);

failed:
    for (int index = 0; index < N_COLUMNS; index++)
        column_free(&columns[index]);
    free(deferred_text);
    Py_XDECREF(deferred_lines);
    PyBuffer_Release(&view);
    return NULL;
}


PyObject *count_newlines(PyObject *module, PyObject *args) {
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "y*", &view))
        return NULL;
    const char *end = (const char *)view.buf + view.len;
    long long count = 0;
    Py_BEGIN_ALLOW_THREADS
    for (const char *at = view.buf; (at = memchr(at, '\n', (size_t)(end - at))) != NULL; at++)
        count++;
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyLong_FromLongLong(count);
}
