/* store.c: the reference server's SQLite store (DESIGN.md "Store").
 *
 * Durability: WAL journal, synchronous=FULL (a commit is on disk before sqlite3_step
 * returns), busy timeout for other processes on the same file. Every state change is one
 * BEGIN IMMEDIATE ... COMMIT transaction, so a revocation is either wholly recorded or not
 * at all, and an acknowledged one survives a crash.
 *
 * Threads: one connection per store, opened SQLITE_OPEN_FULLMUTEX, and a mutex held for the
 * whole of each transaction (check + update), so two threads revoking one serial are
 * serialised and exactly one finds it good. Another process on the same file is serialised
 * by BEGIN IMMEDIATE (the write lock is taken before the check). With ":memory:" there is
 * one private database per store object.
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

struct cmc_store {
    sqlite3 *db;
    pthread_mutex_t lock;
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
    int rc = sqlite3_open_v2(
        path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
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
    sqlite3_close(st->db);
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
    int ok = strlen(hex) <= CMC_MAX_SERIAL_HEX;
    if (ok) {
        strcpy(out, hex);
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

static cmc_status prepare(cmc_store *st, const char *sql, sqlite3_stmt **out) {
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK) {
        cmc_error_set_detail("sqlite: %s", sqlite3_errmsg(st->db));
        CMC_RAISE(CMC_E_STORE);
    }
    return CMC_OK;
}

/* begin / end: the mutex plus an IMMEDIATE transaction; end commits on CMC_OK, else rolls
 * back, and returns the first failure. */
static cmc_status begin(cmc_store *st) {
    pthread_mutex_lock(&st->lock);
    cmc_status s = exec(st, "BEGIN IMMEDIATE");
    if (s != CMC_OK) {
        pthread_mutex_unlock(&st->lock);
    }
    return s;
}

static cmc_status end(cmc_store *st, cmc_status s) {
    if (s == CMC_OK) {
        s = exec(st, "COMMIT");
    }
    if (s != CMC_OK) {
        (void)exec(st, "ROLLBACK");
    }
    pthread_mutex_unlock(&st->lock);
    return s;
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
    sqlite3_finalize(stmt);
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
    s = begin(st);
    if (s != CMC_OK) {
        goto out;
    }
    sqlite3_stmt *stmt = NULL;
    s = prepare(st,
                "INSERT INTO certificates (serial, issuer, subject, der, not_before,"
                " not_after, status, issued_at) VALUES (?, ?, ?, ?, ?, ?, 'good', ?)",
                &stmt);
    if (s == CMC_OK) {
        sqlite3_bind_text(stmt, 1, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(stmt, 2, issuer, issuer_len, SQLITE_TRANSIENT);
        sqlite3_bind_blob(stmt, 3, subject, subject_len, SQLITE_TRANSIENT);
        sqlite3_bind_blob(stmt, 4, der, der_len, SQLITE_TRANSIENT);
        sqlite3_bind_int64(stmt, 5, (sqlite3_int64)nb);
        sqlite3_bind_int64(stmt, 6, (sqlite3_int64)na);
        sqlite3_bind_int64(stmt, 7, (sqlite3_int64)now);
        s = step_done(st, stmt);
    }
    sqlite3_finalize(stmt);
    s = end(st, s);
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
    sqlite3_finalize(stmt);
    return s;
}

cmc_status cmc_store_revoke(cmc_store *st, const X509_NAME *issuer, const ASN1_INTEGER *serial,
                            int reason, time_t when) {
    char hex[CMC_MAX_SERIAL_HEX + 1];
    if (st == NULL || issuer == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (!serial_hex(serial, hex)) {
        CMC_RAISE(CMC_E_BAD_CERT_ID);
    }
    CMC_TRY(begin(st));
    cmc_cert_state state;
    cmc_status s = find(st, hex, issuer, NULL, &state);
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
        sqlite3_finalize(stmt);
    }
    return end(st, s); /* rolls back on any refusal */
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
            strcpy(tid, dec);
            OPENSSL_free(dec);
        }
    }
    CMC_TRY(begin(st));
    sqlite3_stmt *stmt = NULL;
    cmc_status s = CMC_OK;
    if (transaction_id != NULL) {
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
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    if (s == CMC_OK && nonce != NULL && nonce_len > 0) {
        s = prepare(st, "INSERT OR IGNORE INTO nonces (nonce, seen_at) VALUES (?, ?)", &stmt);
        if (s == CMC_OK) {
            sqlite3_bind_blob(stmt, 1, nonce, (int)nonce_len, SQLITE_TRANSIENT);
            sqlite3_bind_int64(stmt, 2, (sqlite3_int64)now);
            s = step_done(st, stmt);
        }
        sqlite3_finalize(stmt);
    }
    return end(st, s);
}
