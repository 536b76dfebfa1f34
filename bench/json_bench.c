/* json_bench.c - parse throughput of val_json_parse against jansson's
 * json_loadb on the same inputs, in one run. Inputs are generated here (a
 * Kubernetes-style object list, a numbers-heavy array, a string-heavy
 * document full of \u escapes) plus any JSON files named on the command line.
 * Prints MB/s for both and their ratio per input, then the geometric mean.
 * Each parser gets about -t seconds per input (default 1), in alternating
 * rounds keeping the best. Usage: json_bench [-t SECONDS] [FILE...] */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "value/value.h"

typedef struct input {
    const char *name;
    char *p;
    size_t n;
} input;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Small deterministic PRNG so every run parses the same bytes. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *words[] = {"nginx",   "frontend", "backend", "payments", "redis",  "kafka",
                              "ingress", "prod",     "staging", "team-a",   "team-b", "api",
                              "worker",  "cache",    "db",      "metrics"};
#define NWORDS (sizeof words / sizeof words[0])

/* A kubectl-style List of Pods, about `target` bytes. */
static void gen_k8s(gh_buf *b, size_t target) {
    gh_buf_puts(b,
                "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"},"
                "\"items\":[");
    for (int i = 0; b->len < target; i++) {
        const char *app = words[rnd(NWORDS)], *env = words[rnd(NWORDS)];
        if (i) gh_buf_putc(b, ',');
        gh_buf_printf(
            b,
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s-%08x-%05u\","
            "\"namespace\":\"%s\",\"uid\":\"%08x-%04x-%04x-%04x-%012x\",\"resourceVersion\":\"%u\","
            "\"creationTimestamp\":\"2024-0%u-1%uT12:3%u:00Z\",\"labels\":{\"app\":\"%s\","
            "\"app.kubernetes.io/name\":\"%s\",\"pod-template-hash\":\"%08x\",\"tier\":\"%s\"},"
            "\"annotations\":{\"kubectl.kubernetes.io/"
            "last-applied-configuration\":\"{\\\"apiVersion"
            "\\\":\\\"v1\\\",\\\"kind\\\":\\\"Pod\\\"}\\n\",\"prometheus.io/scrape\":\"true\"}},"
            "\"spec\":{\"containers\":[{\"name\":\"%s\",\"image\":\"registry.example.com/"
            "%s:1.%u.%u\","
            "\"imagePullPolicy\":\"IfNotPresent\",\"ports\":[{\"containerPort\":%u,\"protocol\":"
            "\"TCP\"}],"
            "\"env\":[{\"name\":\"ENV\",\"value\":\"%s\"},{\"name\":\"REPLICAS\",\"value\":\"%u\"},"
            "{\"name\":\"POD_IP\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.podIP\"}}}],"
            "\"resources\":{\"limits\":{\"cpu\":\"%um\",\"memory\":\"%uMi\"},\"requests\":{\"cpu\":"
            "\"%um\",\"memory\":\"%uMi\"}},\"securityContext\":{\"runAsNonRoot\":%s,\"runAsUser\":%"
            "u,"
            "\"allowPrivilegeEscalation\":false,\"readOnlyRootFilesystem\":true,\"capabilities\":{"
            "\"drop\":[\"ALL\"]}},\"volumeMounts\":[{\"name\":\"kube-api-access\",\"mountPath\":"
            "\"/var/run/secrets/kubernetes.io/serviceaccount\",\"readOnly\":true}]}],"
            "\"restartPolicy\":\"Always\",\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":"
            "\"ClusterFirst\",\"serviceAccountName\":\"default\",\"nodeName\":\"node-%u\","
            "\"hostNetwork\":%s,\"tolerations\":[{\"key\":\"node.kubernetes.io/not-ready\","
            "\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]},"
            "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.%u.%u.%u\",\"qosClass\":"
            "\"Burstable\","
            "\"startTime\":\"2024-01-01T00:00:00Z\",\"containerStatuses\":[{\"name\":\"%s\","
            "\"ready\":true,\"restartCount\":%u,\"started\":true,\"image\":\"%s:1.%u\","
            "\"containerID\":\"containerd://%016llx%016llx\"}]}}",
            app, rnd(1u << 30), rnd(100000), env, rnd(1u << 30), rnd(65536), rnd(65536), rnd(65536),
            rnd(1u << 30), rnd(10000000), 1 + rnd(9), rnd(10), rnd(10), app, app, rnd(1u << 30),
            env, app, app, rnd(30), rnd(30), 1024 + rnd(60000), env, rnd(10), 100 * (1 + rnd(20)),
            64 * (1 + rnd(64)), 50 * (1 + rnd(10)), 32 * (1 + rnd(32)), rnd(2) ? "true" : "false",
            1000 + rnd(60000), rnd(500), rnd(8) ? "false" : "true", rnd(256), rnd(256), rnd(256),
            app, rnd(5), app, rnd(30), (unsigned long long)rng, (unsigned long long)(rng * 31));
    }
    gh_buf_puts(b, "]}");
}

/* Arrays of integers, negative numbers, decimals and exponents. */
static void gen_numbers(gh_buf *b, size_t target) {
    gh_buf_putc(b, '[');
    for (int i = 0; b->len < target; i++) {
        if (i) gh_buf_putc(b, ',');
        gh_buf_printf(b, "[%u,%d,%u.%03u,%d.%u,%ue%d,%llu,%u,%d]", rnd(1000), -(int)rnd(100000),
                      rnd(1000), rnd(1000), -(int)rnd(100), rnd(1000000), 1 + rnd(9),
                      (int)rnd(40) - 20, (unsigned long long)rnd(1u << 31) * 1000003ull,
                      rnd(1u << 31), (int)rnd(2000) - 1000);
    }
    gh_buf_putc(b, ']');
}

/* Objects of long strings: plain ASCII, raw UTF-8, \uXXXX escapes (BMP and
 * surrogate pairs) and simple escapes. */
static void gen_strings(gh_buf *b, size_t target) {
    static const char *pieces[] = {
        "The quick brown fox jumps over the lazy dog. ",
        "caf\\u00e9 na\\u00efve r\\u00e9sum\\u00e9 ",
        "\\u4e2d\\u6587\\u5b57\\u7b26 ",
        "emoji \\ud83d\\ude00\\ud83d\\udc4d ",
        "line\\nbreak\\ttab \\\"quoted\\\" back\\\\slash ",
        "Gr\xc3\xbc\xc3\x9f"
        "e aus M\xc3\xbc"
        "nchen \xe2\x82\xac 42 ",
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88 ",
        "/path/to/some/resource?query=value&other=thing ",
    };
    gh_buf_putc(b, '[');
    for (int i = 0; b->len < target; i++) {
        if (i) gh_buf_putc(b, ',');
        gh_buf_printf(b, "{\"id\":\"item-%u\",\"title\":\"", rnd(1000000));
        for (int k = 0, n = 1 + (int)rnd(4); k < n; k++)
            gh_buf_puts(b, pieces[rnd(8)]);
        gh_buf_puts(b, "\",\"body\":\"");
        for (int k = 0, n = 4 + (int)rnd(16); k < n; k++)
            gh_buf_puts(b, pieces[rnd(8)]);
        gh_buf_puts(b, "\",\"tags\":[");
        for (int k = 0, n = (int)rnd(5); k < n; k++)
            gh_buf_printf(b, "%s\"%s\"", k ? "," : "", pieces[rnd(8)]);
        gh_buf_puts(b, "]}");
    }
    gh_buf_putc(b, ']');
}

static input generated(const char *name, void (*gen)(gh_buf *, size_t), size_t target) {
    gh_buf b;
    gh_buf_init(&b);
    gen(&b, target);
    if (b.oom) {
        fprintf(stderr, "json_bench: out of memory generating %s\n", name);
        exit(1);
    }
    input in = {name, NULL, 0};
    in.p = gh_buf_take(&b, &in.n);
    return in;
}

/* Parse loops of one parser for at least `secs`; returns MB/s, or 0 when
 * the parser rejects the input. */
static double run_ours(const input *in, double secs) {
    gh_arena a;
    gh_arena_init(&a, 0);
    double t0 = now(), t;
    long iters = 0;
    do {
        val_t *v;
        gh_err e;
        if (val_json_parse(&a, in->p, in->n, NULL, &v, &e)) {
            fprintf(stderr, "json_bench: %s: %d:%d: %s\n", in->name, e.line, e.col, e.msg);
            gh_arena_free(&a);
            return 0;
        }
        gh_arena_reset(&a);
        iters++;
        t = now();
    } while (t - t0 < secs || iters < 2);
    gh_arena_free(&a);
    return (double)in->n * (double)iters / (t - t0) / 1e6;
}

static double run_jansson(const input *in, double secs) {
    double t0 = now(), t;
    long iters = 0;
    do {
        json_error_t err;
        json_t *j = json_loadb(in->p, in->n, 0, &err);
        if (!j) {
            fprintf(stderr, "json_bench: jansson: %s: %d:%d: %s\n", in->name, err.line, err.column,
                    err.text);
            return 0;
        }
        json_decref(j);
        iters++;
        t = now();
    } while (t - t0 < secs || iters < 2);
    return (double)in->n * (double)iters / (t - t0) / 1e6;
}

/* The two parsers take turns in short rounds and each keeps its best
 * round, so load from other processes skews neither side. */
#define ROUNDS 5
static void measure(const input *in, double secs, double *ours, double *theirs) {
    *ours = *theirs = 0;
    for (int r = 0; r < ROUNDS; r++) {
        double o = run_ours(in, secs / ROUNDS), t = run_jansson(in, secs / ROUNDS);
        if (o > *ours) *ours = o;
        if (t > *theirs) *theirs = t;
        if (o == 0 || t == 0) break;
    }
}

int main(int argc, char **argv) {
    double secs = 1.0;
    int argi = 1;
    if (argi + 1 < argc && !strcmp(argv[argi], "-t")) {
        secs = atof(argv[argi + 1]);
        argi += 2;
    }
    input ins[64];
    size_t nin = 0;
    ins[nin++] = generated("gen:k8s-pod-list", gen_k8s, 8u << 20);
    ins[nin++] = generated("gen:numbers", gen_numbers, 4u << 20);
    ins[nin++] = generated("gen:strings-unicode", gen_strings, 4u << 20);
    for (; argi < argc && nin < sizeof ins / sizeof ins[0]; argi++) {
        gh_err e;
        input in = {argv[argi], NULL, 0};
        if (gh_read_file(argv[argi], GH_MAX_DOC_BYTES, &in.p, &in.n, &e)) {
            fprintf(stderr, "json_bench: %s: %s\n", argv[argi], e.msg);
            continue;
        }
        ins[nin++] = in;
    }
    printf("%-44s %9s %12s %12s %7s\n", "input", "size", "gatehouse", "jansson", "ratio");
    double logsum = 0;
    int nratio = 0;
    for (size_t i = 0; i < nin; i++) {
        double ours, theirs;
        measure(&ins[i], secs, &ours, &theirs);
        const char *nm = ins[i].name;
        size_t l = strlen(nm);
        if (l > 44) nm += l - 44;
        if (ours > 0 && theirs > 0) {
            printf("%-44s %8.2fM %7.1f MB/s %7.1f MB/s %6.2fx\n", nm, (double)ins[i].n / 1e6, ours,
                   theirs, ours / theirs);
            logsum += log(ours / theirs);
            nratio++;
        } else {
            printf("%-44s %8.2fM %12s %12s %7s\n", nm, (double)ins[i].n / 1e6,
                   ours > 0 ? "ok" : "rejected", theirs > 0 ? "ok" : "rejected", "-");
        }
        gh_free(ins[i].p);
    }
    if (nratio) printf("geometric mean ratio (gatehouse / jansson): %.2fx\n", exp(logsum / nratio));
    return 0;
}
