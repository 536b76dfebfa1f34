/* alloc.c - heap allocation with test-time fault injection, and the arena
 * allocator. Arena chunks are malloc'd; a chunk holds many allocations, a
 * request larger than a chunk gets a chunk of its own. Invariant: every
 * pointer handed out is aligned to GH_ALIGN and lies within its chunk. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

#define GH_ALIGN _Alignof(max_align_t)

static _Atomic long fail_countdown = -1;

void gh_alloc_fail_after(long n) { atomic_store(&fail_countdown, n); }

static int should_fail(void) {
    long c = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (GH_LIKELY(c < 0)) return 0;
    if (c == 0) return 1;
    atomic_fetch_sub(&fail_countdown, 1);
    return 0;
}

void *gh_malloc(size_t n) {
    if (should_fail()) return NULL;
    return malloc(n ? n : 1);
}

void *gh_calloc(size_t nmemb, size_t size) {
    if (should_fail()) return NULL;
    return calloc(nmemb ? nmemb : 1, size ? size : 1);
}

void *gh_realloc(void *p, size_t n) {
    if (should_fail()) return NULL;
    return realloc(p, n ? n : 1);
}

void gh_free(void *p) { free(p); }

char *gh_strndup(const char *s, size_t n) {
    char *p = gh_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

void gh_free_secret(void *p, size_t n) {
    if (!p) return;
    explicit_bzero(p, n);
    free(p);
}

struct gh_chunk {
    gh_chunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    max_align_t data[];
};

static size_t align_up(size_t n) { return (n + GH_ALIGN - 1) & ~(size_t)(GH_ALIGN - 1); }

void gh_arena_init(gh_arena *a, size_t budget) {
    a->head = NULL;
    a->budget = budget;
    a->total = 0;
    a->chunk_size = GH_ARENA_CHUNK;
    a->oom = 0;
}

static gh_chunk *chunk_new(gh_arena *a, size_t need) {
    size_t size = need > a->chunk_size ? need : a->chunk_size;
    if (size > SIZE_MAX - sizeof(gh_chunk)) return NULL;
    /* Near the budget, a smaller chunk that still fits beats failing. */
    if (a->budget) {
        size_t room = a->budget > a->total + sizeof(gh_chunk)
                          ? a->budget - a->total - sizeof(gh_chunk) : 0;
        if (size > room && need <= room) size = room & ~(size_t)(GH_ALIGN - 1);
    }
    size_t bytes = sizeof(gh_chunk) + size;
    if (a->budget && (a->total + bytes > a->budget || a->total + bytes < a->total)) return NULL;
    gh_chunk *c = gh_malloc(bytes);
    if (!c) return NULL;
    c->size = size;
    c->used = 0;
    a->total += bytes;
    /* A big one-off chunk goes behind the head so the head keeps its room. */
    if (a->head && need > a->chunk_size && a->head->size - a->head->used > GH_ALIGN * 8) {
        c->next = a->head->next;
        a->head->next = c;
    } else {
        c->next = a->head;
        a->head = c;
    }
    return c;
}

void *gh_arena_alloc(gh_arena *a, size_t n) {
    if (GH_UNLIKELY(a->oom)) return NULL;
    if (n > SIZE_MAX / 2) {
        a->oom = 1;
        return NULL;
    }
    n = align_up(n ? n : 1);
    gh_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        c = chunk_new(a, n);
        if (!c) {
            a->oom = 1;
            return NULL;
        }
        if (c != a->head) { /* big chunk placed behind the head */
            c->used = n;
            return (char *)c->data;
        }
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

void *gh_arena_calloc(gh_arena *a, size_t n) {
    void *p = gh_arena_alloc(a, n);
    if (p) memset(p, 0, n);
    return p;
}

void *gh_arena_realloc(gh_arena *a, void *p, size_t oldn, size_t newn) {
    if (!p) return gh_arena_alloc(a, newn);
    if (newn <= oldn) return p;
    if (GH_UNLIKELY(a->oom)) return NULL;
    gh_chunk *c = a->head;
    size_t olda = align_up(oldn ? oldn : 1), newa = align_up(newn);
    if (c && (char *)p + olda == (char *)c->data + c->used && c->size - c->used >= newa - olda) {
        c->used += newa - olda; /* last allocation of the head chunk: grow in place */
        return p;
    }
    void *q = gh_arena_alloc(a, newn);
    if (q) memcpy(q, p, oldn);
    return q;
}

char *gh_arena_strndup(gh_arena *a, const char *s, size_t n) {
    char *p = gh_arena_alloc(a, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *gh_arena_printf(gh_arena *a, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = n < 0 ? NULL : gh_arena_alloc(a, (size_t)n + 1);
    if (p) vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void gh_arena_reset(gh_arena *a) {
    gh_chunk *c = a->head, *keep = NULL;
    while (c) {
        gh_chunk *next = c->next;
        if (!keep && c->size == a->chunk_size) {
            keep = c;
        } else {
            a->total -= sizeof(gh_chunk) + c->size;
            gh_free(c);
        }
        c = next;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    a->head = keep;
    a->oom = 0;
}

void gh_arena_free(gh_arena *a) {
    gh_chunk *c = a->head;
    while (c) {
        gh_chunk *next = c->next;
        gh_free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
    a->oom = 0;
}

size_t gh_arena_used(const gh_arena *a) {
    size_t u = 0;
    for (const gh_chunk *c = a->head; c; c = c->next) u += c->used;
    return u;
}

size_t gh_arena_chunks(const gh_arena *a) {
    size_t n = 0;
    for (const gh_chunk *c = a->head; c; c = c->next) n++;
    return n;
}
