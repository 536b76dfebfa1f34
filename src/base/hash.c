/* hash.c - keyed hashing for every table in gatehouse. SipHash-1-3 with a
 * 128-bit key drawn from getrandom() at first use, so hash-flooding inputs
 * cannot be precomputed. Tests may fix the key with gh_hash_seed(). */
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base.h"

static uint64_t key0, key1;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_fixed;

static void key_init(void) {
    if (key_fixed) return;
    uint64_t k[2];
    if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k) {
        /* No entropy source: still keyed, though weaker; never fatal. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        k[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&ts;
        k[1] = (uint64_t)ts.tv_sec * 0xC2B2AE3D27D4EB4Full ^ (uint64_t)(uintptr_t)&k;
    }
    key0 = k[0];
    key1 = k[1];
}

void gh_hash_seed(uint64_t k0, uint64_t k1) {
    pthread_once(&key_once, key_init);
    key_fixed = 1;
    key0 = k0;
    key1 = k1;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = ROTL(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = ROTL(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = ROTL(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = ROTL(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = ROTL(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = ROTL(v2, 32);                                                                         \
    } while (0)

static uint64_t load64(const unsigned char *p) {
    uint64_t x;
    memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

uint64_t gh_siphash13(uint64_t k0, uint64_t k1, const void *data, size_t n) {
    const unsigned char *p = data;
    uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
    uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
    uint64_t b = (uint64_t)n << 56;
    size_t i, end = n - (n % 8);
    for (i = 0; i < end; i += 8) {
        uint64_t m = load64(p + i);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    switch (n & 7) {
    case 7: b |= (uint64_t)p[i + 6] << 48; /* fall through */
    case 6: b |= (uint64_t)p[i + 5] << 40; /* fall through */
    case 5: b |= (uint64_t)p[i + 4] << 32; /* fall through */
    case 4: b |= (uint64_t)p[i + 3] << 24; /* fall through */
    case 3: b |= (uint64_t)p[i + 2] << 16; /* fall through */
    case 2: b |= (uint64_t)p[i + 1] << 8;  /* fall through */
    case 1: b |= (uint64_t)p[i]; break;
    case 0: break;
    }
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t gh_hash(const void *p, size_t n) {
    pthread_once(&key_once, key_init);
    return gh_siphash13(key0, key1, p, n);
}

uint64_t gh_hash_u64(uint64_t x) {
    unsigned char b[8];
    memcpy(b, &x, 8);
    return gh_hash(b, 8);
}

/* Order-dependent combination of two hashes (for arrays). */
uint64_t gh_hash_mix(uint64_t h, uint64_t x) {
    h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}
