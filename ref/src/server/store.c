/* store.c: the reference server's SQLite store (DESIGN.md "Store").
 *
 * Durability: WAL journal, synchronous=FULL (a commit is on disk before sqlite3_step
 * returns), busy timeout for other processes on the same file. Every state change is one
 * BEGIN IMMEDIATE ... COMMIT transaction, so a revocation is either wholly recorded or not
 * at all, and an acknowledged one survives a crash.
 *
 * Threads: one connection per store, opened SQLITE_OPEN_NOMUTEX, and a mutex (st->lock) held
 * for every use of it and for the whole of each transaction (check + update), so the
 * connection is never used by two threads at once and two threads revoking one serial are
 * serialised and exactly one finds it good. Another process on the same file is serialised
 * by BEGIN IMMEDIATE (the write lock is taken before the check). With ":memory:" there is
 * one private database per store object.
 *
 * Group commit (file stores): with synchronous=FULL every COMMIT waits for an fsync (about
 * 3.5 ms on the development machine, five times the crypto cost of an enrollment; see
 * `cmckit bench --stores disk`). Writers therefore queue their change; one of them, the
 * leader, runs every queued change in one transaction, each inside its own SAVEPOINT (a
 * refused change is rolled back alone), commits once, and only then wakes the writers with
 * their results. Nothing is acknowledged before its COMMIT returned, so an acknowledged
 * change still survives a crash; changes in one batch are applied in queue order, so two
 * revocations of one serial still see each other. A writer alone commits alone.
 *
 * Serial numbers are stored as upper-case hex of the (positive) INTEGER, issuer and subject
 * as the DER of the Name. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <sqlite3.h>

#include "server/server_local.h"

/* How long a writer waits for another process's write lock before answering CMC_E_BUSY. */
#define CMC_STORE_BUSY_TIMEOUT_MS 5000
/* Longest serial number we store: RFC 5280 §4.1.2.2 allows 20 octets = 40 hex digits. */
#define CMC_MAX_SERIAL_HEX 40

/* Most changes one group commit applies: bounds the time writers queued behind a batch wait
 * and the size of one transaction; at ~3.5 ms per fsync it is far above what arrives. */
#define CMC_STORE_MAX_BATCH 256

/* One queued change: |apply| runs inside the leader's transaction. */
typedef struct store_op {
    cmc_status (*apply)(cmc_store *st, void *arg);
    void *arg;
    cmc_status result;
    int done;
    struct store_op *next;
} store_op;

/* Distinct SQL statements the store runs per request; each is prepared once per
 * connection (sqlite3_prepare_v2 cost about 5% of an in-memory enrollment, issue 8). */
#define CMC_STORE_MAX_CACHED_STMTS 16

struct cmc_store {
    sqlite3 *db;
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[CMC_STORE_MAX_CACHED_STMTS]; /* used under |lock| only */
    pthread_mutex_t lock;                /* the connection: held for each transaction or read */
    int group_commit;                    /* 1 for file stores */
    pthread_mutex_t queue_lock;
    pthread_cond_t queue_done;
    store_op *queue_head, *queue_tail;
    int leader_active;
};

static const char kSchema[] =
    "CREATE TABLE IF NOT EXISTS certificates ("
    " serial TEXT PRIMARY KEY," /* upper-case hex, no leading zeros */
    " issuer BLOB NOT NULL,"    /* DER Name */
    " subject BLOB NOT NULL,"   /* DER Name */
    " der BLOB NOT NULL,"       /* the certificate */
    " not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('good', 'revoked')),"
    " revoked_at INTEGER, reason INTEGER, issued_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS transactions ("
    " transaction_id TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS nonces (nonce BLOB PRIMARY KEY, seen_at INTEGER NOT NULL);";

static cmc_status exec(cmc_store *st, const char *sql) {
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        CMC_RAISE(CMC_E_BUSY);
    }
    if (rc != SQLITE_OK) {
        cmc_error_set_detail("sqlite: %s", sqlite3_errmsg(st->db));
        CMC_RAISE(CMC_E_STORE);
    }
    return CMC_OK;
}

cmc_status cmc_store_open(cmc_store **out, const char *path) {
    if (out == NULL || path == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_store *st = OPENSSL_zalloc(sizeof(*st));
    if (st == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    if (pthread_mutex_init(&st->lock, NULL) != 0) {
        OPENSSL_free(st);
        CMC_RAISE(CMC_E_INTERNAL);
    }
    if (pthread_mutex_init(&st->queue_lock, NULL) != 0) {
        pthread_mutex_destroy(&st->lock);
        OPENSSL_free(st);
        CMC_RAISE(CMC_E_INTERNAL);
    }
    if (pthread_cond_init(&st->queue_done, NULL) != 0) {
        pthread_mutex_destroy(&st->queue_lock);
        pthread_mutex_destroy(&st->lock);
        OPENSSL_free(st);
        CMC_RAISE(CMC_E_INTERNAL);
    }
    st->group_commit = strcmp(path, ":memory:") != 0;
    /* NOMUTEX: every use of the connection holds st->lock already, so SQLite's own per-call
     * mutex would only be taken again. */
    int rc = sqlite3_open_v2(
        path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        cmc_error_set_detail("sqlite open %s: %s", path,
                             st->db ? sqlite3_errmsg(st->db) : "out of memory");
        cmc_store_close(st);
        CMC_RAISE(CMC_E_STORE);
    }
    sqlite3_busy_timeout(st->db, CMC_STORE_BUSY_TIMEOUT_MS);
    /* journal_mode returns a row; sqlite3_exec ignores it. ":memory:" stays "memory". */
    cmc_status s = exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                            " PRAGMA foreign_keys=ON;");
    if (s == CMC_OK) {
        s = exec(st, "BEGIN IMMEDIATE");
        if (s == CMC_OK) {
            s = exec(st, kSchema);
            s = s == CMC_OK ? exec(st, "COMMIT") : (exec(st, "ROLLBACK"), s);
        }
    }
    if (s != CMC_OK) {
        cmc_store_close(st);
        return s;
    }
    *out = st;
    return CMC_OK;
}

void cmc_store_close(cmc_store *st) {
    if (st == NULL) {
        return;
    }
    for (size_t i = 0; i < CMC_STORE_MAX_CACHED_STMTS && st->cache[i].sql != NULL; i++) {
        sqlite3_finalize(st->cache[i].stmt);
    }
    sqlite3_close(st->db);
    pthread_cond_destroy(&st->queue_done);
    pthread_mutex_destroy(&st->queue_lock);
    pthread_mutex_destroy(&st->lock);
    OPENSSL_free(st);
}

/* serial_hex writes |serial| as upper-case hex; 0 for negative or oversized serials (those
 * never match a stored certificate). */
static int serial_hex(const ASN1_INTEGER *serial, char out[CMC_MAX_SERIAL_HEX + 1]) {
    if (serial == NULL || ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) {
        return 0;
    }
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    if (bn == NULL) {
        ERR_clear_error();
        return 0;
    }
    char *hex = BN_bn2hex(bn);
    BN_free(bn);
    if (hex == NULL) {
        ERR_clear_error();
        return 0;
    }
    size_t len = strlen(hex);
    int ok = len <= CMC_MAX_SERIAL_HEX;
    if (ok) {
        memcpy(out, hex, len + 1);
    }
    OPENSSL_free(hex);
    return ok;
}

static cmc_status step_done(cmc_store *st, sqlite3_stmt *stmt) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        CMC_RAISE(CMC_E_BUSY);
    }
    if (rc != SQLITE_DONE) {
        cmc_error_set_detail("sqlite: %s", sqlite3_errmsg(st->db));
        CMC_RAISE(CMC_E_STORE);
    }
    return CMC_OK;
}

/* prepare lends the cached statement for |sql| (prepared on first use, with st->lock
 * held); give it back with release, not sqlite3_finalize. */
static cmc_status prepare(cmc_store *st, const char *sql, sqlite3_stmt **out) {
    size_t i = 0;
    for (; i < CMC_STORE_MAX_CACHED_STMTS && st->cache[i].sql != NULL; i++) {
        if (strcmp(st->cache[i].sql, sql) == 0) {
            *out = st->cache[i].stmt;
            return CMC_OK;
        }
    }
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        cmc_error_set_detail("sqlite: %s", sqlite3_errmsg(st->db));
        CMC_RAISE(CMC_E_STORE);
    }
    if (i == CMC_STORE_MAX_CACHED_STMTS) { /* a new statement without raising the limit */
        sqlite3_finalize(stmt);
        CMC_RAISE(CMC_E_INTERNAL);
    }
    st->cache[i].sql = sql;
    st->cache[i].stmt = stmt;
    *out = stmt;
    return CMC_OK;
}

/* release resets a statement from prepare for its next use (NULL-safe). */
static void release(sqlite3_stmt *stmt) {
    if (stmt != NULL) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
}

/* exec1 runs one cached statement without results (BEGIN, COMMIT, SAVEPOINT, ...). */
static cmc_status exec1(cmc_store *st, const char *sql) {
    sqlite3_stmt *stmt = NULL;
    CMC_TRY(prepare(st, sql, &stmt));
    cmc_status s = step_done(st, stmt);
    release(stmt);
    return s;
}

/* begin / end: the mutex plus an IMMEDIATE transaction; end commits on CMC_OK, else rolls
 * back, and returns the first failure. */
static cmc_status begin(cmc_store *st) {
    pthread_mutex_lock(&st->lock);
    cmc_status s = exec1(st, "BEGIN IMMEDIATE");
    if (s != CMC_OK) {
        pthread_mutex_unlock(&st->lock);
    }
    return s;
}

static cmc_status end(cmc_store *st, cmc_status s) {
    if (s == CMC_OK) {
        s = exec1(st, "COMMIT");
    }
    if (s != CMC_OK) {
        (void)exec1(st, "ROLLBACK");
    }
    pthread_mutex_unlock(&st->lock);
    return s;
}

/* run_batch: the leader's work, with st->lock held: one transaction, one SAVEPOINT per
 * change, one COMMIT. Sets every op's result; a failed BEGIN or COMMIT fails them all. */
static void run_batch(cmc_store *st, store_op *batch) {
    cmc_status s = exec1(st, "BEGIN IMMEDIATE");
    int any_ok = 0;
    for (store_op *op = batch; op != NULL; op = op->next) {
        if (s != CMC_OK) {
            op->result = s;
            continue;
        }
        cmc_status sp = exec1(st, "SAVEPOINT cmc_op");
        op->result = sp == CMC_OK ? op->apply(st, op->arg) : sp;
        if (op->result != CMC_OK && sp == CMC_OK) {
            (void)exec1(st, "ROLLBACK TO cmc_op");
        }
        if (sp == CMC_OK) {
            (void)exec1(st, "RELEASE cmc_op");
        }
        any_ok |= op->result == CMC_OK;
    }
    if (s != CMC_OK) {
        return;
    }
    cmc_status c = any_ok ? exec1(st, "COMMIT") : exec1(st, "ROLLBACK");
    if (c != CMC_OK) {
        (void)exec1(st, "ROLLBACK");
        for (store_op *op = batch; op != NULL; op = op->next) {
            if (op->result == CMC_OK) {
                op->result = c; /* not durable: never acknowledged as done */
            }
        }
    }
}

/* write_txn runs |apply| in a write transaction and returns its status once the change is
 * committed (or rolled back). File stores go through the group commit queue. */
static cmc_status write_txn(cmc_store *st, cmc_status (*apply)(cmc_store *, void *), void *arg) {
    if (!st->group_commit) {
        CMC_TRY(begin(st));
        return end(st, apply(st, arg));
    }
    store_op me = {apply, arg, CMC_OK, 0, NULL};
    pthread_mutex_lock(&st->queue_lock);
    /* |me| lives on this stack while queued: a leader unlinks it from the queue, and sets
     * |done| last (under queue_lock), before this function can return. */
    if (st->queue_tail != NULL) {
        st->queue_tail->next = &me;
    } else {
        /* cppcheck-suppress autoVariables ; unlinked before |done|, see above */
        st->queue_head = &me;
    }
    /* cppcheck-suppress autoVariables ; unlinked before |done|, see above */
    st->queue_tail = &me;
    while (!me.done) {
        if (st->leader_active) {
            pthread_cond_wait(&st->queue_done, &st->queue_lock);
            continue;
        }
        /* Lead: take up to CMC_STORE_MAX_BATCH queued changes (ours among them, unless an
         * earlier leader already took it). */
        st->leader_active = 1;
        store_op *batch = st->queue_head, *last = batch;
        for (int n = 1; n < CMC_STORE_MAX_BATCH && last->next != NULL; n++) {
            last = last->next;
        }
        st->queue_head = last->next;
        if (st->queue_head == NULL) {
            st->queue_tail = NULL;
        }
        last->next = NULL;
        pthread_mutex_unlock(&st->queue_lock);
        pthread_mutex_lock(&st->lock);
        run_batch(st, batch);
        pthread_mutex_unlock(&st->lock);
        pthread_mutex_lock(&st->queue_lock);
        for (store_op *op = batch, *nx; op != NULL; op = nx) {
            nx = op->next; /* |op| may vanish once done is set and its writer wakes */
            op->done = 1;
        }
        st->leader_active = 0;
        pthread_cond_broadcast(&st->queue_done);
    }
    pthread_mutex_unlock(&st->queue_lock);
    if (me.result != CMC_OK) {
        /* The leader's thread holds the detail; record the code on this thread too. */
        return cmc_error_raise(me.result, __FILE__, __LINE__);
    }
    return CMC_OK;
}

cmc_status cmc_store_count(cmc_store *st, uint64_t *out) {
    sqlite3_stmt *stmt = NULL;
    pthread_mutex_lock(&st->lock);
    cmc_status s = prepare(st, "SELECT COUNT(*) FROM certificates", &stmt);
    if (s == CMC_OK) {
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            *out = (uint64_t)sqlite3_column_int64(stmt, 0);
        } else {
            s = cmc_error_raise(CMC_E_STORE, __FILE__, __LINE__);
        }
    }
    release(stmt);
    pthread_mutex_unlock(&st->lock);
    return s;
}

static int der_of(int (*i2d)(const void *, unsigned char **), const void *obj, uint8_t **out) {
    *out = NULL;
    return i2d(obj, out);
}

static int i2d_name(const void *n, unsigned char **out) {
    return i2d_X509_NAME(n, out);
}
static int i2d_cert(const void *x, unsigned char **out) {
    return i2d_X509(x, out);
}

typedef struct {
    const char *hex;
    const uint8_t *issuer;
    int issuer_len;
    const uint8_t *subject;
    int subject_len;
    const uint8_t *der;
    int der_len;
    time_t nb, na, now;
} add_args;

static cmc_status add_apply(cmc_store *st, void *arg) {
    const add_args *a = arg;
    sqlite3_stmt *stmt = NULL;
    cmc_status s = prepare(st,
                           "INSERT INTO certificates (serial, issuer, subject, der, not_before,"
                           " not_after, status, issued_at) VALUES (?, ?, ?, ?, ?, ?, 'good', ?)",
                           &stmt);
    if (s == CMC_OK) {
        sqlite3_bind_text(stmt, 1, a->hex, -1, SQLITE_STATIC);
        sqlite3_bind_blob(stmt, 2, a->issuer, a->issuer_len, SQLITE_STATIC);
        sqlite3_bind_blob(stmt, 3, a->subject, a->subject_len, SQLITE_STATIC);
        sqlite3_bind_blob(stmt, 4, a->der, a->der_len, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 5, (sqlite3_int64)a->nb);
        sqlite3_bind_int64(stmt, 6, (sqlite3_int64)a->na);
        sqlite3_bind_int64(stmt, 7, (sqlite3_int64)a->now);
        s = step_done(st, stmt);
    }
    release(stmt);
    return s;
}

cmc_status cmc_store_add(cmc_store *st, X509 *cert, time_t now) {
    char hex[CMC_MAX_SERIAL_HEX + 1];
    if (st == NULL || cert == NULL || !serial_hex(X509_get0_serialNumber(cert), hex)) {
        CMC_RAISE(CMC_E_ARG);
    }
    uint8_t *issuer = NULL, *subject = NULL, *der = NULL;
    int issuer_len = der_of(i2d_name, X509_get_issuer_name(cert), &issuer);
    int subject_len = der_of(i2d_name, X509_get_subject_name(cert), &subject);
    int der_len = der_of(i2d_cert, cert, &der);
    time_t nb = 0, na = 0;
    struct tm tm;
    if (ASN1_TIME_to_tm(X509_get0_notBefore(cert), &tm)) {
        nb = timegm(&tm);
    }
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm)) {
        na = timegm(&tm);
    }
    cmc_status s = CMC_OK;
    if (issuer_len <= 0 || subject_len <= 0 || der_len <= 0) {
        s = cmc_error_raise(CMC_E_CRYPTO, __FILE__, __LINE__);
        goto out;
    }
    add_args a = {hex, issuer, issuer_len, subject, subject_len, der, der_len, nb, na, now};
    s = write_txn(st, add_apply, &a);
out:
    OPENSSL_free(issuer);
    OPENSSL_free(subject);
    OPENSSL_free(der);
    return s;
}

/* find: inside the lock; reads the row for |hex| and checks the issuer. Row values are
 * copied out through the optional pointers. */
static cmc_status find(cmc_store *st, const char *hex, const X509_NAME *issuer, X509 **out_cert,
                       cmc_cert_state *out_state) {
    sqlite3_stmt *stmt = NULL;
    CMC_TRY(prepare(st,
                    "SELECT issuer, der, status, revoked_at, reason FROM certificates"
                    " WHERE serial = ?",
                    &stmt));
    sqlite3_bind_text(stmt, 1, hex, -1, SQLITE_TRANSIENT);
    cmc_status s = CMC_OK;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        s = cmc_error_raise(CMC_E_BAD_CERT_ID, __FILE__, __LINE__);
        goto out;
    }
    if (rc != SQLITE_ROW) {
        s = cmc_error_raise(rc == SQLITE_BUSY ? CMC_E_BUSY : CMC_E_STORE, __FILE__, __LINE__);
        goto out;
    }
    const unsigned char *p = sqlite3_column_blob(stmt, 0);
    X509_NAME *stored = d2i_X509_NAME(NULL, &p, sqlite3_column_bytes(stmt, 0));
    int same = stored != NULL && X509_NAME_cmp(stored, issuer) == 0;
    X509_NAME_free(stored);
    if (!same) {
        ERR_clear_error();
        s = cmc_error_raise(CMC_E_BAD_CERT_ID, __FILE__, __LINE__);
        goto out;
    }
    if (out_state != NULL) {
        const unsigned char *status = sqlite3_column_text(stmt, 2);
        out_state->revoked = status != NULL && strcmp((const char *)status, "revoked") == 0;
        out_state->revoked_at = out_state->revoked ? (time_t)sqlite3_column_int64(stmt, 3) : 0;
        out_state->reason = out_state->revoked ? sqlite3_column_int(stmt, 4) : -1;
    }
    if (out_cert != NULL) {
        p = sqlite3_column_blob(stmt, 1);
        *out_cert = d2i_X509(NULL, &p, sqlite3_column_bytes(stmt, 1));
        if (*out_cert == NULL) {
            s = cmc_error_raise(CMC_E_STORE, __FILE__, __LINE__);
        }
    }
out:
    release(stmt);
    return s;
}

typedef struct {
    const char *hex;
    const X509_NAME *issuer;
    int reason;
    time_t when;
} revoke_args;

static cmc_status revoke_apply(cmc_store *st, void *arg);

cmc_status cmc_store_revoke(cmc_store *st, const X509_NAME *issuer, const ASN1_INTEGER *serial,
                            int reason, time_t when) {
    char hex[CMC_MAX_SERIAL_HEX + 1];
    if (st == NULL || issuer == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (!serial_hex(serial, hex)) {
        CMC_RAISE(CMC_E_BAD_CERT_ID);
    }
    revoke_args a = {hex, issuer, reason, when};
    return write_txn(st, revoke_apply, &a);
}

static cmc_status revoke_apply(cmc_store *st, void *arg) {
    const revoke_args *a = arg;
    const char *hex = a->hex;
    int reason = a->reason;
    time_t when = a->when;
    cmc_cert_state state = {0};
    cmc_status s = find(st, hex, a->issuer, NULL, &state);
    if (s == CMC_OK && state.revoked) {
        s = cmc_error_raise(CMC_E_ALREADY_REVOKED, __FILE__, __LINE__);
    }
    if (s == CMC_OK) {
        sqlite3_stmt *stmt = NULL;
        s = prepare(st,
                    "UPDATE certificates SET status = 'revoked', revoked_at = ?, reason = ?"
                    " WHERE serial = ? AND status = 'good'",
                    &stmt);
        if (s == CMC_OK) {
            sqlite3_bind_int64(stmt, 1, (sqlite3_int64)when);
            sqlite3_bind_int(stmt, 2, reason);
            sqlite3_bind_text(stmt, 3, hex, -1, SQLITE_TRANSIENT);
            s = step_done(st, stmt);
            if (s == CMC_OK && sqlite3_changes(st->db) != 1) {
                s = cmc_error_raise(CMC_E_ALREADY_REVOKED, __FILE__, __LINE__);
            }
        }
        release(stmt);
    }
    return s; /* write_txn rolls back any refusal */
}

cmc_status cmc_store_get(cmc_store *st, const X509_NAME *issuer, const ASN1_INTEGER *serial,
                         X509 **out_cert, cmc_cert_state *out_state) {
    char hex[CMC_MAX_SERIAL_HEX + 1];
    if (st == NULL || issuer == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (!serial_hex(serial, hex)) {
        CMC_RAISE(CMC_E_BAD_CERT_ID);
    }
    pthread_mutex_lock(&st->lock);
    cmc_status s = find(st, hex, issuer, out_cert, out_state);
    pthread_mutex_unlock(&st->lock);
    return s;
}

typedef struct {
    const char *tid; /* decimal transactionId, or NULL */
    const uint8_t *nonce;
    size_t nonce_len;
    time_t now;
} note_args;

static cmc_status note_apply(cmc_store *st, void *arg);

cmc_status cmc_store_note(cmc_store *st, const ASN1_INTEGER *transaction_id, const uint8_t *nonce,
                          size_t nonce_len, time_t now) {
    if (transaction_id == NULL && nonce == NULL) {
        return CMC_OK;
    }
    char tid[128] = "";
    if (transaction_id != NULL) {
        BIGNUM *bn = ASN1_INTEGER_to_BN(transaction_id, NULL);
        char *dec = bn != NULL ? BN_bn2dec(bn) : NULL;
        BN_free(bn);
        if (dec == NULL || strlen(dec) >= sizeof(tid)) {
            OPENSSL_free(dec);
            ERR_clear_error();
            transaction_id = NULL; /* too long to be worth recording */
        } else {
            memcpy(tid, dec, strlen(dec) + 1); /* fits: checked above */
            OPENSSL_free(dec);
        }
    }
    note_args a = {transaction_id != NULL ? tid : NULL, nonce, nonce_len, now};
    return write_txn(st, note_apply, &a);
}

static cmc_status note_apply(cmc_store *st, void *arg) {
    const note_args *a = arg;
    const char *tid = a->tid;
    const uint8_t *nonce = a->nonce;
    size_t nonce_len = a->nonce_len;
    time_t now = a->now;
    sqlite3_stmt *stmt = NULL;
    cmc_status s = CMC_OK;
    if (tid != NULL) {
        s = prepare(st,
                    "INSERT INTO transactions (transaction_id, first_seen, last_seen)"
                    " VALUES (?1, ?2, ?2) ON CONFLICT (transaction_id)"
                    " DO UPDATE SET last_seen = ?2",
                    &stmt);
        if (s == CMC_OK) {
            sqlite3_bind_text(stmt, 1, tid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(stmt, 2, (sqlite3_int64)now);
            s = step_done(st, stmt);
        }
        release(stmt);
        stmt = NULL;
    }
    if (s == CMC_OK && nonce != NULL && nonce_len > 0) {
        s = prepare(st, "INSERT OR IGNORE INTO nonces (nonce, seen_at) VALUES (?, ?)", &stmt);
        if (s == CMC_OK) {
            sqlite3_bind_blob(stmt, 1, nonce, (int)nonce_len, SQLITE_TRANSIENT);
            sqlite3_bind_int64(stmt, 2, (sqlite3_int64)now);
            s = step_done(st, stmt);
        }
        release(stmt);
    }
    return s;
}
