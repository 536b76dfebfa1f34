/* ratelimit.c - per-client token buckets (429 + Retry-After), shared by all
 * worker threads. A fixed table of slots keyed by a hash of the client
 * address; each slot is guarded by its own spin flag held for a few
 * instructions, so unrelated clients never contend. When a client's probe
 * window is full, the slot that has been refilled longest is recycled (a
 * full bucket carries no state worth keeping). Memory is fixed at start.
 * The rate and burst may change while serving (SIGHUP reload of
 * limits.rate_limit): two atomics, read once per request; rate 0 lets
 * every request through without touching the table. */
#include "server/http_int.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

#define RL_SLOTS 8192 /* power of two */
#define RL_PROBE 8

typedef struct rl_slot {
    atomic_flag busy;
    uint64_t key; /* 0: empty */
    double tokens;
    int64_t last_ns;
} rl_slot;

struct srv_ratelimit {
    _Atomic double rps; /* 0: off */
    _Atomic double burst;
    rl_slot slots[RL_SLOTS];
};

void srv_ratelimit_set(srv_ratelimit *rl, double rps, int burst) {
    if (!rl) return;
    if (!(rps > 0)) rps = 0;
    atomic_store_explicit(&rl->burst, burst > 0 ? burst : (rps < 1 ? 1 : ceil(rps)),
                          memory_order_relaxed);
    atomic_store_explicit(&rl->rps, rps, memory_order_relaxed);
}

srv_ratelimit *srv_ratelimit_new_adjustable(double rps, int burst) {
    srv_ratelimit *rl = gh_calloc(1, sizeof *rl);
    if (!rl) return NULL;
    for (int i = 0; i < RL_SLOTS; i++)
        atomic_flag_clear(&rl->slots[i].busy);
    srv_ratelimit_set(rl, rps, burst);
    return rl;
}

srv_ratelimit *srv_ratelimit_new(double rps, int burst) {
    if (!(rps > 0)) return NULL;
    return srv_ratelimit_new_adjustable(rps, burst);
}

void srv_ratelimit_free(srv_ratelimit *rl) { gh_free(rl); }

static void lock(rl_slot *s) {
    while (atomic_flag_test_and_set_explicit(&s->busy, memory_order_acquire)) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
}

static void unlock(rl_slot *s) { atomic_flag_clear_explicit(&s->busy, memory_order_release); }

bool srv_ratelimit_take(srv_ratelimit *rl, const char *client, int64_t now_ns, int *retry_after_s) {
    if (!rl) return true;
    double rps = atomic_load_explicit(&rl->rps, memory_order_relaxed);
    if (rps <= 0) return true;
    double burst = atomic_load_explicit(&rl->burst, memory_order_relaxed);
    uint64_t key = gh_hash(client, strlen(client)) | 1; /* never 0 */
    size_t base = (size_t)(key >> 17);
    rl_slot *slot = NULL;
    /* find the client's slot, or the best slot to take over */
    rl_slot *victim = NULL;
    double victim_score = -1;
    for (int i = 0; i < RL_PROBE; i++) {
        rl_slot *s = &rl->slots[(base + (size_t)i) & (RL_SLOTS - 1)];
        lock(s);
        if (s->key == key) {
            slot = s;
            break;
        }
        double score;
        if (s->key == 0) {
            score = 1e300;
        } else {
            /* tokens it would hold now; a full bucket is as good as empty */
            double t = s->tokens + (double)(now_ns - s->last_ns) * 1e-9 * rps;
            score = t >= burst ? 1e299 + (double)(now_ns - s->last_ns) : t;
        }
        unlock(s);
        if (score > victim_score) {
            victim_score = score;
            victim = s;
        }
    }
    if (!slot) {
        slot = victim;
        lock(slot);
        if (slot->key != key) { /* recycle (a racing thread may have done it already) */
            slot->key = key;
            slot->tokens = burst;
            slot->last_ns = now_ns;
        }
    }
    /* slot is locked here */
    double t = slot->tokens;
    if (now_ns > slot->last_ns) {
        t += (double)(now_ns - slot->last_ns) * 1e-9 * rps;
        slot->last_ns = now_ns;
    }
    if (t > burst) t = burst;
    bool ok = t >= 1.0;
    if (ok) t -= 1.0;
    slot->tokens = t;
    unlock(slot);
    if (!ok && retry_after_s) {
        double wait = (1.0 - t) / rps;
        int s = (int)ceil(wait);
        *retry_after_s = s < 1 ? 1 : s;
    }
    return ok;
}
