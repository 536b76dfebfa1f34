/* ratelimit.c - per-client token buckets (429 + Retry-After), shared by all
 * worker threads. A fixed table of slots keyed by a hash of the client
 * address; each slot is guarded by its own spin flag held for a few
 * instructions, so unrelated clients never contend. When a client's probe
 * window is full, the slot that has been refilled longest is recycled (a
 * full bucket carries no state worth keeping). Memory is fixed at start. */
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
    double rps;
    double burst;
    rl_slot slots[RL_SLOTS];
};

srv_ratelimit *srv_ratelimit_new(double rps, int burst) {
    if (!(rps > 0)) return NULL;
    srv_ratelimit *rl = gh_calloc(1, sizeof *rl);
    if (!rl) return NULL;
    rl->rps = rps;
    rl->burst = burst > 0 ? burst : (rps < 1 ? 1 : ceil(rps));
    for (int i = 0; i < RL_SLOTS; i++)
        atomic_flag_clear(&rl->slots[i].busy);
    return rl;
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
            double t = s->tokens + (double)(now_ns - s->last_ns) * 1e-9 * rl->rps;
            score = t >= rl->burst ? 1e299 + (double)(now_ns - s->last_ns) : t;
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
            slot->tokens = rl->burst;
            slot->last_ns = now_ns;
        }
    }
    /* slot is locked here */
    double t = slot->tokens;
    if (now_ns > slot->last_ns) {
        t += (double)(now_ns - slot->last_ns) * 1e-9 * rl->rps;
        slot->last_ns = now_ns;
    }
    if (t > rl->burst) t = rl->burst;
    bool ok = t >= 1.0;
    if (ok) t -= 1.0;
    slot->tokens = t;
    unlock(slot);
    if (!ok && retry_after_s) {
        double wait = (1.0 - t) / rl->rps;
        int s = (int)ceil(wait);
        *retry_after_s = s < 1 ? 1 : s;
    }
    return ok;
}
