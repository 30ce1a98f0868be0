/* rand.c: deterministic randomness for the vector generator and tests (msg.h).
 *
 * The process-wide mode replaces OpenSSL's RAND_METHOD. OpenSSL 3.0's RAND_bytes_ex and
 * RAND_priv_bytes_ex consult a non-default legacy method first, so ECDSA nonces
 * (BN_generate_dsa_nonce), RSA-PSS salts and key generation in the default provider all
 * draw from it. RAND_set_rand_method is deprecated in 3.0; this is the one file that uses
 * it, hence OPENSSL_SUPPRESS_DEPRECATED. The stream is HMAC-SHA256(seed, counter) blocks. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "msg/msg_local.h"

#define MSG_HMAC_LEN 32                    /* SHA-256 output */
#define MSG_RAND_CHUNK_BYTES (1024 * 1024) /* RAND_bytes takes an int length */

/* One HMAC-SHA256 counter-mode stream. */
typedef struct {
    uint8_t key[CMC_DRBG_MAX_SEED];
    size_t key_len;
    uint64_t counter;
    uint8_t block[MSG_HMAC_LEN];
    size_t block_used; /* bytes of |block| already handed out */
} msg_stream;

static int msg_stream_init(msg_stream *s, const uint8_t *seed, size_t seed_len) {
    if (seed == NULL || seed_len == 0 || seed_len > CMC_DRBG_MAX_SEED) {
        return 0;
    }
    memset(s, 0, sizeof(*s));
    memcpy(s->key, seed, seed_len);
    s->key_len = seed_len;
    s->block_used = MSG_HMAC_LEN;
    return 1;
}

static int msg_stream_bytes(msg_stream *s, uint8_t *out, size_t len) {
    static const char kLabel[] = "cmckit drbg v1";
    while (len > 0) {
        if (s->block_used == MSG_HMAC_LEN) {
            uint8_t msg[8 + sizeof(kLabel)];
            for (int i = 0; i < 8; i++) {
                msg[i] = (uint8_t)(s->counter >> (56 - 8 * i));
            }
            memcpy(msg + 8, kLabel, sizeof(kLabel));
            unsigned int md_len = 0;
            if (HMAC(EVP_sha256(), s->key, (int)s->key_len, msg, sizeof(msg), s->block, &md_len) ==
                    NULL ||
                md_len != MSG_HMAC_LEN) {
                return 0;
            }
            s->counter++;
            s->block_used = 0;
        }
        size_t n = MSG_HMAC_LEN - s->block_used;
        if (n > len) {
            n = len;
        }
        memcpy(out, s->block + s->block_used, n);
        s->block_used += n;
        out += n;
        len -= n;
    }
    return 1;
}

/* ---- process-wide mode ---- */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static msg_stream g_stream;
static int g_active;

static int msg_rand_bytes(unsigned char *buf, int num) {
    if (num < 0) {
        return 0;
    }
    pthread_mutex_lock(&g_lock);
    int ok = msg_stream_bytes(&g_stream, buf, (size_t)num);
    pthread_mutex_unlock(&g_lock);
    return ok;
}

static int msg_rand_seed(const void *buf, int num) {
    (void)buf;
    (void)num;
    return 1; /* seeding input is ignored: the stream depends on the begin seed only */
}

static int msg_rand_add(const void *buf, int num, double entropy) {
    (void)buf;
    (void)num;
    (void)entropy;
    return 1;
}

static int msg_rand_status(void) {
    return 1;
}

static const RAND_METHOD kDeterministicMethod = {
    msg_rand_seed, msg_rand_bytes, NULL, msg_rand_add, msg_rand_bytes, msg_rand_status,
};

cmc_status cmc_rand_deterministic_begin(const uint8_t *seed, size_t seed_len) {
    pthread_mutex_lock(&g_lock);
    int ok = msg_stream_init(&g_stream, seed, seed_len);
    pthread_mutex_unlock(&g_lock);
    if (!ok) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (!g_active) {
        if (!RAND_set_rand_method(&kDeterministicMethod)) {
            CMC_RAISE(CMC_E_CRYPTO);
        }
        g_active = 1;
    }
    return CMC_OK;
}

void cmc_rand_deterministic_end(void) {
    if (!g_active) {
        return;
    }
    RAND_set_rand_method(RAND_OpenSSL());
    g_active = 0;
    pthread_mutex_lock(&g_lock);
    OPENSSL_cleanse(&g_stream, sizeof(g_stream));
    pthread_mutex_unlock(&g_lock);
}

int cmc_rand_is_deterministic(void) {
    return g_active;
}

/* ---- per-object stream ---- */

struct cmc_drbg {
    pthread_mutex_t lock;
    msg_stream stream;
};

cmc_status cmc_drbg_new(cmc_drbg **out, const uint8_t *seed, size_t seed_len) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_drbg *d = OPENSSL_zalloc(sizeof(*d));
    if (d == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    if (!msg_stream_init(&d->stream, seed, seed_len)) {
        OPENSSL_free(d);
        CMC_RAISE(CMC_E_ARG);
    }
    pthread_mutex_init(&d->lock, NULL);
    *out = d;
    return CMC_OK;
}

void cmc_drbg_free(cmc_drbg *drbg) {
    if (drbg == NULL) {
        return;
    }
    pthread_mutex_destroy(&drbg->lock);
    OPENSSL_clear_free(drbg, sizeof(*drbg));
}

cmc_status cmc_drbg_bytes(cmc_drbg *drbg, uint8_t *out, size_t out_len) {
    if (drbg == NULL || (out == NULL && out_len > 0)) {
        CMC_RAISE(CMC_E_ARG);
    }
    pthread_mutex_lock(&drbg->lock);
    int ok = msg_stream_bytes(&drbg->stream, out, out_len);
    pthread_mutex_unlock(&drbg->lock);
    if (!ok) {
        CMC_RAISE(CMC_E_CRYPTO);
    }
    return CMC_OK;
}

cmc_status cmc_random_bytes(cmc_drbg *drbg, uint8_t *out, size_t out_len) {
    if (drbg != NULL) {
        return cmc_drbg_bytes(drbg, out, out_len);
    }
    if (out == NULL && out_len > 0) {
        CMC_RAISE(CMC_E_ARG);
    }
    while (out_len > 0) {
        int n = out_len > (size_t)MSG_RAND_CHUNK_BYTES ? MSG_RAND_CHUNK_BYTES : (int)out_len;
        if (RAND_bytes(out, n) != 1) {
            CMC_RAISE(CMC_E_CRYPTO);
        }
        out += n;
        out_len -= (size_t)n;
    }
    return CMC_OK;
}
