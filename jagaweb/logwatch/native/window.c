/* Sliding-window counting for the behaviour rules (jagaweb/logwatch/detect/windows.py), in one sort and one
 * pass instead of Polars' grouping, sorting, rolling sums per client and a loop of joins for the spacing.
 *
 * windows(client, time, line, n, fresh, alert_client, alert_time, threshold, window_us) -> (rows, counts)
 *
 * The first five are Polars Series without nulls, the columns of one table of events (the events a rule
 * remembers, then the new ones, which `fresh` marks): clients as UInt64, times in microseconds, line numbers
 * and counts as Int64, and `fresh` as UInt8. `alert_client` and `alert_time` are each client's last finding. An
 * event's count is the sum of `n` over its client's events with a time in (time - window, time] (all
 * events at the same time included, as Polars' rolling_sum_by counts them). A fresh event whose count
 * reaches the threshold is a trigger; a client's trigger becomes a finding when it comes at least a window
 * after the client's last finding (the finding before it in this call, or its alert), taking the triggers
 * by time and line. The result is the findings' row numbers in the table and their counts, ordered by time
 * and line: {"row": ArrowColumn, "count": ArrowColumn} (arrow.h).
 */
#include "arrow.h"
#include "native.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t client;
    int64_t time;
    int64_t line;
    int64_t row;
} Event;

typedef struct {
    uint64_t client;
    int64_t time;
} Alert;

typedef struct {
    int64_t time;
    int64_t line;
    int64_t row;
    int64_t count;
} Finding;

static int compare_events(const void *left, const void *right) {
    const Event *a = left, *b = right;
    if (a->client != b->client)
        return a->client < b->client ? -1 : 1;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

static int compare_alerts(const void *left, const void *right) {
    const Alert *a = left, *b = right;
    return (a->client > b->client) - (a->client < b->client);
}

static int compare_findings(const void *left, const void *right) {
    const Finding *a = left, *b = right;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* Puts the events in `events` client by client (clients in the order they first appear), each client's by
 * time, line and row. Logs are written nearly in time order, so a client's events mostly are already; the
 * grouping is a hash table and a counting pass, and only a client whose events are out of order is sorted.
 * Returns -1 when memory runs out. */
static int group_by_client(const uint64_t *client, const int64_t *time, const int64_t *line, Py_ssize_t rows,
                           Event *events) {
    size_t slots = 16;
    while (slots < (size_t)rows * 2)
        slots <<= 1;
    int64_t *group_of_slot = malloc(sizeof(int64_t) * slots);
    int64_t *group_of_row = malloc(sizeof(int64_t) * (size_t)(rows ? rows : 1));
    Py_ssize_t *start = malloc(sizeof(Py_ssize_t) * (size_t)(rows + 1));
    uint64_t *group_client = malloc(sizeof(uint64_t) * (size_t)(rows ? rows : 1));
    if (group_of_slot == NULL || group_of_row == NULL || start == NULL || group_client == NULL) {
        free(group_of_slot);
        free(group_of_row);
        free(start);
        free(group_client);
        return -1;
    }
    memset(group_of_slot, 0xff, sizeof(int64_t) * slots);
    Py_ssize_t groups = 0;
    for (Py_ssize_t row = 0; row < rows; row++) {
        size_t slot = (size_t)((client[row] * 0x9E3779B97F4A7C15ULL) >> 17) & (slots - 1);
        while (group_of_slot[slot] >= 0 && group_client[group_of_slot[slot]] != client[row])
            slot = (slot + 1) & (slots - 1);
        if (group_of_slot[slot] < 0) {
            group_of_slot[slot] = groups;
            group_client[groups] = client[row];
            start[groups++] = 0;
        }
        group_of_row[row] = group_of_slot[slot];
        start[group_of_row[row]]++;
    }
    Py_ssize_t next = 0;
    for (Py_ssize_t group = 0; group < groups; group++) {
        Py_ssize_t size = start[group];
        start[group] = next;
        next += size;
    }
    start[groups] = next;
    for (Py_ssize_t row = 0; row < rows; row++)
        events[start[group_of_row[row]]++] = (Event){client[row], time[row], line[row], row};
    /* each start[] now holds where the next group begins */
    for (Py_ssize_t group = 0, first = 0; group < groups; first = start[group++]) {
        Py_ssize_t end = start[group];
        for (Py_ssize_t index = first + 1; index < end; index++) {
            if (compare_events(&events[index - 1], &events[index]) > 0) {
                qsort(events + first, (size_t)(end - first), sizeof(Event), compare_events);
                break;
            }
        }
    }
    free(group_of_slot);
    free(group_of_row);
    free(start);
    free(group_client);
    return 0;
}

/* The client's last alert, by binary search in alerts sorted by client; 0 when it has none. */
static int last_alert(const Alert *alerts, Py_ssize_t size, uint64_t client, int64_t *time) {
    Py_ssize_t low = 0, high = size;
    while (low < high) {
        Py_ssize_t middle = low + (high - low) / 2;
        if (alerts[middle].client < client)
            low = middle + 1;
        else
            high = middle;
    }
    if (low < size && alerts[low].client == client) {
        *time = alerts[low].time;
        return 1;
    }
    return 0;
}

/* Counts and spaces one client's events, sorted by time: events[first..end). Returns the findings added. */
static Py_ssize_t scan_client(const Event *events, Py_ssize_t first, Py_ssize_t end, const int64_t *prefix,
                              const uint8_t *fresh, int has_alert, int64_t alerted, int64_t threshold,
                              int64_t window, Finding *findings) {
    Py_ssize_t found = 0, oldest = first, at = first;
    while (at < end) {
        int64_t time = events[at].time;
        Py_ssize_t last = at;
        while (last + 1 < end && events[last + 1].time == time)
            last++;
        while (events[oldest].time <= time - window)
            oldest++;
        int64_t count = prefix[last + 1] - prefix[oldest];
        for (Py_ssize_t index = at; count >= threshold && index <= last; index++) {
            if (!fresh[events[index].row] || (has_alert && time < alerted + window))
                continue;
            findings[found++] = (Finding){time, events[index].line, events[index].row, count};
            has_alert = 1;
            alerted = time;
        }
        at = last + 1;
    }
    return found;
}

/* The findings of `windows` into `findings`, ordered by time and line: their number, or -1 when memory runs
 * out. `events`, `alerts` and `prefix` are room for as many rows as the columns have (prefix one more). */
static Py_ssize_t find(const uint64_t *client, const int64_t *time, const int64_t *line, const int64_t *n,
                       const uint8_t *fresh, Py_ssize_t rows, const uint64_t *alert_client,
                       const int64_t *alert_time, Py_ssize_t alert_rows, int64_t threshold, int64_t window,
                       Event *events, Alert *alerts, int64_t *prefix, Finding *findings) {
    for (Py_ssize_t row = 0; row < alert_rows; row++)
        alerts[row] = (Alert){alert_client[row], alert_time[row]};
    qsort(alerts, (size_t)alert_rows, sizeof(Alert), compare_alerts);
    if (group_by_client(client, time, line, rows, events) < 0)
        return -1;
    prefix[0] = 0;
    for (Py_ssize_t index = 0; index < rows; index++)
        prefix[index + 1] = prefix[index] + n[events[index].row];
    Py_ssize_t found = 0;
    for (Py_ssize_t first = 0, end; first < rows; first = end) {
        end = first + 1;
        while (end < rows && events[end].client == events[first].client)
            end++;
        int64_t alerted = 0;
        int has_alert = last_alert(alerts, alert_rows, events[first].client, &alerted);
        found += scan_client(events, first, end, prefix, fresh, has_alert, alerted, threshold, window,
                             findings + found);
    }
    qsort(findings, (size_t)found, sizeof(Finding), compare_findings);
    return found;
}

/* {first: first_values, second: second_values} as ArrowColumns of 64-bit integers. */
static PyObject *integer_columns(const char *first, const int64_t *first_values, const char *second,
                                 const int64_t *second_values, int64_t count) {
    Column columns[2];
    if (!column_init(&columns[0], KIND_INT64, count, 0) || !column_init(&columns[1], KIND_INT64, count, 0)) {
        column_free(&columns[0]);
        column_free(&columns[1]);
        return PyErr_NoMemory();
    }
    for (int64_t index = 0; index < count; index++) {
        push_int(&columns[0], first_values[index], 1);
        push_int(&columns[1], second_values[index], 1);
    }
    PyObject *result = PyDict_New();
    if (result == NULL || store_column(result, first, &columns[0]) < 0 || store_column(result, second, &columns[1]) < 0)
        Py_CLEAR(result);
    column_free(&columns[0]);
    column_free(&columns[1]);
    return result;
}

/* The findings as {"row", "count"}. */
static PyObject *found_columns(const Finding *findings, Py_ssize_t found) {
    int64_t *rows = malloc(sizeof(int64_t) * (size_t)(found ? found : 1));
    int64_t *counts = malloc(sizeof(int64_t) * (size_t)(found ? found : 1));
    PyObject *result = NULL;
    if (rows == NULL || counts == NULL) {
        PyErr_NoMemory();
    } else {
        for (Py_ssize_t index = 0; index < found; index++) {
            rows[index] = findings[index].row;
            counts[index] = findings[index].count;
        }
        result = integer_columns("row", rows, "count", counts, found);
    }
    free(rows);
    free(counts);
    return result;
}

PyObject *count_windows(PyObject *module, PyObject *args) {
    PyObject *sources[7];
    long long threshold, window;
    if (!PyArg_ParseTuple(args, "OOOOOOOLL", &sources[0], &sources[1], &sources[2], &sources[3], &sources[4],
                          &sources[5], &sources[6], &threshold, &window))
        return NULL;
    if (window <= 0) {
        PyErr_SetString(PyExc_ValueError, "the window must be positive");
        return NULL;
    }
    static const char *const names[7] = {"client", "time", "line", "n", "fresh", "alert_client", "alert_time"};
    static const char *const formats[7] = {"L", "l", "l", "l", "C", "L", "l"};
    static const int64_t widths[7] = {8, 8, 8, 8, 1, 8, 8};
    void *values[7] = {NULL};
    int64_t lengths[7];
    PyObject *result = NULL;
    Event *events = NULL;
    Alert *alerts = NULL;
    Finding *findings = NULL;
    int64_t *prefix = NULL;
    for (int index = 0; index < 7; index++) {
        lengths[index] = read_numbers(sources[index], formats[index], widths[index], names[index], &values[index]);
        if (lengths[index] < 0)
            goto done;
    }
    Py_ssize_t rows = lengths[0], alert_rows = lengths[5], found;
    if (lengths[1] != rows || lengths[2] != rows || lengths[3] != rows || lengths[4] != rows ||
        lengths[6] != alert_rows) {
        PyErr_SetString(PyExc_ValueError, "the columns differ in length");
        goto done;
    }
    events = malloc(sizeof(Event) * (size_t)(rows ? rows : 1));
    alerts = malloc(sizeof(Alert) * (size_t)(alert_rows ? alert_rows : 1));
    findings = malloc(sizeof(Finding) * (size_t)(rows ? rows : 1));
    prefix = malloc(sizeof(int64_t) * (size_t)(rows + 1));
    if (events == NULL || alerts == NULL || findings == NULL || prefix == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    found = find(values[0], values[1], values[2], values[3], values[4], rows, values[5], values[6], alert_rows,
                 threshold, window, events, alerts, prefix, findings);
    Py_END_ALLOW_THREADS
    if (found < 0) {
        PyErr_NoMemory();
        goto done;
    }
    result = found_columns(findings, found);
done:
    for (int index = 0; index < 7; index++)
        free(values[index]);
    free(events);
    free(alerts);
    free(findings);
    free(prefix);
    return result;
}

/* per_second(client, time, page) -> {"row", "pages"}: for each client and second (of times in microseconds)
 * with at least one page request, the number of page requests and the second's last row (a page or not, as
 * jagaweb.logwatch.detect.behaviour tells a second); in the order the pairs first appear. `page` is UInt8
 * (1 for a page request), the others as in `windows`. */
PyObject *count_per_second(PyObject *module, PyObject *args) {
    PyObject *sources[3];
    if (!PyArg_ParseTuple(args, "OOO", &sources[0], &sources[1], &sources[2]))
        return NULL;
    static const char *const names[3] = {"client", "time", "page"};
    static const char *const formats[3] = {"L", "l", "C"};
    static const int64_t widths[3] = {8, 8, 1};
    void *values[3] = {NULL};
    int64_t lengths[3];
    PyObject *result = NULL;
    int64_t *slot_of = NULL, *seconds = NULL, *last = NULL, *pages = NULL;
    uint64_t *clients = NULL;
    for (int index = 0; index < 3; index++) {
        lengths[index] = read_numbers(sources[index], formats[index], widths[index], names[index], &values[index]);
        if (lengths[index] < 0)
            goto done;
    }
    int64_t rows = lengths[0];
    if (lengths[1] != rows || lengths[2] != rows) {
        PyErr_SetString(PyExc_ValueError, "the columns differ in length");
        goto done;
    }
    size_t slots = 16;
    while (slots < (size_t)rows * 2)
        slots <<= 1;
    slot_of = malloc(sizeof(int64_t) * slots);
    size_t room = (size_t)(rows ? rows : 1);
    clients = malloc(sizeof(uint64_t) * room);
    seconds = malloc(sizeof(int64_t) * room);
    last = malloc(sizeof(int64_t) * room);
    pages = malloc(sizeof(int64_t) * room);
    if (slot_of == NULL || clients == NULL || seconds == NULL || last == NULL || pages == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t groups = 0;
    const uint64_t *client = values[0];
    const int64_t *time = values[1];
    const uint8_t *page = values[2];
    Py_BEGIN_ALLOW_THREADS
    memset(slot_of, 0xff, sizeof(int64_t) * slots);
    for (int64_t row = 0; row < rows; row++) {
        int64_t second = time[row] / 1000000 - (time[row] % 1000000 < 0); /* floor, as Polars divides */
        uint64_t mixed = (client[row] ^ (uint64_t)second * 0xBF58476D1CE4E5B9ULL) * 0x9E3779B97F4A7C15ULL;
        size_t slot = (size_t)(mixed >> 17) & (slots - 1);
        while (slot_of[slot] >= 0 &&
               (clients[slot_of[slot]] != client[row] || seconds[slot_of[slot]] != second))
            slot = (slot + 1) & (slots - 1);
        if (slot_of[slot] < 0) {
            slot_of[slot] = groups;
            clients[groups] = client[row];
            seconds[groups] = second;
            pages[groups++] = 0;
        }
        last[slot_of[slot]] = row;
        pages[slot_of[slot]] += page[row] != 0;
    }
    Py_END_ALLOW_THREADS
    int64_t kept = 0;
    for (int64_t group = 0; group < groups; group++) {
        if (pages[group] == 0)
            continue;
        last[kept] = last[group];
        pages[kept++] = pages[group];
    }
    result = integer_columns("row", last, "pages", pages, kept);
done:
    for (int index = 0; index < 3; index++)
        free(values[index]);
    free(slot_of);
    free(clients);
    free(seconds);
    free(last);
    free(pages);
    return result;
}
