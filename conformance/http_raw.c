/* http_raw.c: the two HTTP requests the transport client (cmc/transport.h) refuses by design
 * and some conformance cases must still send: a method other than POST (RFC 5273 §4: the
 * server answers 405) and a body above the client's limit (the server answers 413). Every
 * other exchange goes through cmc_transport_exchange. */
#include "http_raw.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* Most response bytes kept: an error answer is a line of text; a CMC answer is far below. */
#define HTTP_RAW_MAX_RESPONSE (4 * 1024 * 1024)

typedef struct {
    uint8_t *p;
    size_t len;
    int overflow;
} buf;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx) {
    buf *b = ctx;
    size_t n = size * nmemb;
    if (b->len + n > HTTP_RAW_MAX_RESPONSE) {
        b->overflow = 1;
        return 0;
    }
    uint8_t *q = OPENSSL_realloc(b->p, b->len + n + 1); /* cmc_http_response_cleanup frees */
    if (q == NULL) {
        return 0;
    }
    b->p = q;
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return n;
}

int cmc_conform_http_raw(cmc_http_response *out, const char *url, const char *method,
                         const cmc_http_request *req, const cmc_transport_options *opt, char *err,
                         size_t err_len) {
    memset(out, 0, sizeof(*out));
    out->cmc_status = -1;
    out->fail_info = -1;
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        snprintf(err, err_len, "libcurl initialisation failed");
        return -1;
    }
    struct curl_slist *headers = NULL;
    char line[1200];
    /* libcurl adds its own Content-Type for POSTFIELDS unless told otherwise: an empty
     * "Content-Type:" removes it when the case sends none. */
    snprintf(line, sizeof(line), "Content-Type: %s",
             req->media_type != NULL ? req->media_type : "");
    headers = curl_slist_append(headers, line);
    if (req->accept != NULL) {
        snprintf(line, sizeof(line), "Accept: %s", req->accept);
        headers = curl_slist_append(headers, line);
    }
    headers = curl_slist_append(headers, "Expect:");
    buf b = {NULL, 0, 0};
    unsigned timeout = opt != NULL && opt->timeout_ms != 0 ? opt->timeout_ms : 30000u;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body != NULL ? (const char *)req->body : "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (opt != NULL && opt->tls_ca_file != NULL) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, opt->tls_ca_file);
    }
    if (opt != NULL && opt->tls_cert_file != NULL) {
        curl_easy_setopt(curl, CURLOPT_SSLCERT, opt->tls_cert_file);
    }
    if (opt != NULL && opt->tls_key_file != NULL) {
        curl_easy_setopt(curl, CURLOPT_SSLKEY, opt->tls_key_file);
    }
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    char *ct = NULL;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
    int result = 0;
    /* A server may answer 413 and close before reading the whole body: curl then reports a
     * send error although a status arrived. The status is what the case checks. */
    if (status == 0) {
        snprintf(err, err_len, "%s", b.overflow ? "answer too large" : curl_easy_strerror(rc));
        OPENSSL_free(b.p);
        result = -1;
    } else {
        out->http_status = (int)status;
        snprintf(out->media_type, sizeof(out->media_type), "%s", ct != NULL ? ct : "");
        out->body = b.p;
        out->body_len = b.len;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return result;
}
