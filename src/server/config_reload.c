/* config_reload.c - gatehouse.yaml read again on SIGHUP: srv_config_reread
 * rebuilds the configuration the way `gatehouse serve` built it at start,
 * and srv_config_keep_restart puts back the running value of every setting
 * a running server cannot change, naming it. Called by serve.c's reload
 * thread and by tests. Invariant: a key is live only when listed in
 * live_keys or allowed by a rule in needs_restart; every other key,
 * including keys added later, counts as needing a restart. */
#include <string.h>

#include "server/config_int.h"

/* Settings every request, or the reload itself, reads from the configuration
 * in force: policies and data, admission, tokens, per-decision limits, the
 * rate limit, logging (the access log included) and the decision log
 * file. */
static const char *const live_keys[] = {
    "policies.paths",
    "policies.ignore",
    "policies.bundle",
    "policies.skip_verify",
    "policies.v0_compatible",
    "policies.builtin_pack",
    "policies.pack_dir",
    "limits.rate_limit.rps",
    "limits.rate_limit.burst",
    "limits.eval_timeout",
    "limits.eval_memory",
    "auth.token_sha256",
    "auth.allow_unauthenticated_writes",
    "admission.fail_open",
    "admission.paths",
    "logging.level",
    "logging.format",
    "logging.access_log",
    "logging.decision_log_file",
    NULL,
};

static bool str_eq(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static bool list_eq(char *const *a, int na, char *const *b, int nb) {
    if (na != nb) return false;
    for (int i = 0; i < na; i++)
        if (!str_eq(a[i], b[i])) return false;
    return true;
}

#define AT(c, k, T) ((T *)((char *)(c) + (k)->off))

/* Whether key k holds the same value in a and b. */
static bool key_eq(const srv_config *a, const srv_config *b, const srv_cfg_key *k) {
    switch (k->type) {
    case SRV_KT_STR: return str_eq(*AT(a, k, char *), *AT(b, k, char *));
    case SRV_KT_ADDRS: return list_eq(a->addrs, a->naddrs, b->addrs, b->naddrs);
    case SRV_KT_LIST:
    case SRV_KT_TOKENS:
        return list_eq(*AT(a, k, char **), *(int *)((char *)a + k->off_n), *AT(b, k, char **),
                       *(int *)((char *)b + k->off_n));
    case SRV_KT_BOOL:
    case SRV_KT_TLSVER: return *AT(a, k, bool) == *AT(b, k, bool);
    case SRV_KT_INT:
    case SRV_KT_DUR:
    case SRV_KT_ENUM: return *AT(a, k, int) == *AT(b, k, int);
    case SRV_KT_NUM: return *AT(a, k, double) == *AT(b, k, double);
    case SRV_KT_SIZE: return *AT(a, k, size_t) == *AT(b, k, size_t);
    case SRV_KT_DUR64: return *AT(a, k, int64_t) == *AT(b, k, int64_t);
    }
    return false;
}

/* Copy key k's value from src into dst; false when out of memory (dst then
 * keeps a valid, possibly partial, value). */
static bool key_copy(srv_config *dst, const srv_config *src, const srv_cfg_key *k) {
    switch (k->type) {
    case SRV_KT_STR: {
        char *s = srv_cfg_strdup(*AT(src, k, char *));
        if (*AT(src, k, char *) && !s) return false;
        gh_free(*AT(dst, k, char *));
        *AT(dst, k, char *) = s;
        return true;
    }
    case SRV_KT_ADDRS:
        for (int i = 0; i < dst->naddrs; i++)
            gh_free(dst->addrs[i]), dst->addrs[i] = NULL;
        dst->naddrs = 0;
        for (int i = 0; i < src->naddrs; i++) {
            if (!(dst->addrs[i] = srv_cfg_strdup(src->addrs[i]))) return false;
            dst->naddrs = i + 1;
        }
        return true;
    case SRV_KT_LIST:
    case SRV_KT_TOKENS: {
        char ***v = AT(dst, k, char **);
        int *n = (int *)((char *)dst + k->off_n);
        srv_cfg_list_clear(v, n, k->type == SRV_KT_TOKENS);
        char *const *sv = *AT(src, k, char **);
        int sn = *(const int *)((const char *)src + k->off_n);
        for (int i = 0; i < sn; i++)
            if (srv_cfg_list_add(v, n, sv[i])) return false;
        return true;
    }
    case SRV_KT_BOOL:
    case SRV_KT_TLSVER: *AT(dst, k, bool) = *AT(src, k, bool); return true;
    case SRV_KT_INT:
    case SRV_KT_DUR:
    case SRV_KT_ENUM: *AT(dst, k, int) = *AT(src, k, int); return true;
    case SRV_KT_NUM: *AT(dst, k, double) = *AT(src, k, double); return true;
    case SRV_KT_SIZE: *AT(dst, k, size_t) = *AT(src, k, size_t); return true;
    case SRV_KT_DUR64: *AT(dst, k, int64_t) = *AT(src, k, int64_t); return true;
    }
    return false;
}

static bool is_live(const char *name) {
    for (size_t i = 0; live_keys[i]; i++)
        if (!strcmp(live_keys[i], name)) return true;
    return false;
}

/* Whether a change of key k from a (running) to b needs a restart. */
static bool needs_restart(const srv_config *a, const srv_config *b, const srv_cfg_key *k) {
    const char *n = k->name;
    /* new files for TLS that stays on are read by the reload; turning TLS or
     * client certificates on or off changes how connections are accepted */
    if (!strcmp(n, "tls.cert_file") || !strcmp(n, "tls.key_file") ||
        !strcmp(n, "tls.client_ca_file"))
        return (*AT(a, k, char *) == NULL) != (*AT(b, k, char *) == NULL);
    /* the handshake asks for client certificates per the start-up settings */
    if (!strcmp(n, "auth.authentication"))
        return a->authn == SRV_AUTHN_TLS || b->authn == SRV_AUTHN_TLS;
    if (!strcmp(n, "auth.authorization"))
        return a->authn == SRV_AUTHN_TLS || b->authn == SRV_AUTHN_TLS;
    return !is_live(n);
}

size_t srv_config_keep_restart(const srv_config *running, srv_config *next, const char **keys,
                               size_t max) {
    size_t n = 0;
    /* decide every key against next's own values before any is put back */
    bool restart[128] = {false};
    size_t i = 0;
    for (const srv_cfg_key *k = srv_cfg_keys; k->name && i < 128; k++, i++)
        restart[i] = !key_eq(running, next, k) && needs_restart(running, next, k);
    i = 0;
    for (const srv_cfg_key *k = srv_cfg_keys; k->name && i < 128; k++, i++) {
        if (!restart[i]) continue;
        key_copy(next, running, k); /* out of memory: next keeps a partial list */
        if (n < max) keys[n] = k->name;
        n++;
    }
    return n;
}

int srv_config_reread(const srv_config *running, srv_config **out, gh_err *e) {
    *out = NULL;
    srv_config *c = gh_malloc(sizeof *c);
    if (!c) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    srv_config_defaults(c);
    int rc = 0;
    /* data_dir's default depends on the effective user, which the privilege
     * drop changed: start from the running value */
    const srv_cfg_key *dd = srv_cfg_key_find("data_dir");
    const char *why = NULL;
    if (dd && srv_cfg_set_text(c, dd, running->data_dir ? running->data_dir : "", false, &why))
        rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) {
        if (running->argv)
            rc = srv_config_args(c, running->argc, running->argv, e);
        else if (running->config_file)
            rc = srv_config_load(c, running->config_file, e);
    }
    /* the CLI found the built-in pack when nothing set pack_dir */
    if (!rc && c->builtin_pack && !c->pack_dir && running->pack_dir &&
        !(c->pack_dir = srv_cfg_strdup(running->pack_dir)))
        rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) rc = srv_config_validate(c, e);
    if (rc) {
        srv_config_free(c);
        gh_free(c);
        return rc;
    }
    *out = c;
    return 0;
}
