/* tool_io.h: file, PEM/DER, key and option helpers shared by `cmckit req`, `resp` and
 * `bench`. Every function that can fail writes one line (no newline) into |err| naming the
 * file and what was wrong, so the subcommands can print "cmckit req: <err>" and exit 2. */
#ifndef CMCKIT_TOOL_IO_H
#define CMCKIT_TOOL_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/conf.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* A file read whole is at most a 1 MiB CMC message (CMC_MAX_MESSAGE_BYTES) as PEM: base64
 * grows it by 4/3 plus line breaks and armour, so 2 MiB covers every legal input. */
#define TOOL_MAX_FILE_BYTES (2 * 1024 * 1024)
/* A pass phrase file holds one line; OpenSSL's PEM_BUFSIZE is 1024 as well. */
#define TOOL_MAX_PASS_BYTES 1024
#define TOOL_ERR_LEN 512

/* Output encodings. */
typedef enum { TOOL_FORM_AUTO = 0, TOOL_FORM_DER, TOOL_FORM_PEM } tool_form;

/* tool_form_parse maps "der"/"pem" (case-insensitive) to a form; -1 if neither. */
int tool_form_parse(const char *s, tool_form *out);

/* tool_read_file reads |path| whole ("-" is stdin). Returns 0 and a malloc'd buffer (NUL
 * terminated, not counted in |*out_len|), or -1 with |err| set. Empty files are an error. */
int tool_read_file(const char *path, uint8_t **out, size_t *out_len, char *err, size_t err_len);

/* tool_write_file writes |len| bytes to |path| ("-" or NULL is stdout), atomically for
 * regular files (temporary file + rename). Returns 0 or -1 with |err| set. */
int tool_write_file(const char *path, const uint8_t *data, size_t len, char *err, size_t err_len);

/* tool_is_pem reports whether |data| holds a PEM block ("-----BEGIN " after optional
 * comment lines). */
int tool_is_pem(const uint8_t *data, size_t len);

/* tool_pem_decode decodes the first PEM block in |data|. |*out_name| (may be NULL) receives
 * its label ("CMS", "CERTIFICATE"); both outputs are OPENSSL_malloc'd. Returns 0 or -1. */
int tool_pem_decode(const uint8_t *data, size_t len, char **out_name, uint8_t **out_der,
                    size_t *out_len, char *err, size_t err_len);

/* tool_pem_encode wraps |der| as PEM with label |name|; |*out| is malloc'd. Returns 0/-1. */
int tool_pem_encode(const char *name, const uint8_t *der, size_t der_len, uint8_t **out,
                    size_t *out_len);

/* tool_load_der reads |path| and returns DER: PEM input is decoded (first block), anything
 * else is returned as is. |*out| is malloc'd. */
int tool_load_der(const char *path, uint8_t **out, size_t *out_len, char *err, size_t err_len);

/* tool_load_cert loads one certificate (PEM or DER). */
int tool_load_cert(const char *path, X509 **out, char *err, size_t err_len);

/* tool_load_certs loads every certificate in a PEM file (or the one in a DER file). */
int tool_load_certs(const char *path, STACK_OF(X509) **out, char *err, size_t err_len);

/* tool_load_key loads a private key (PEM, encrypted PEM, PKCS#8 or traditional DER). An
 * encrypted key takes its pass phrase from the first line of |pass_file| if given, else
 * prompts on the terminal; without a terminal it fails with a clear error. */
int tool_load_key(const char *path, const char *pass_file, EVP_PKEY **out, char *err,
                  size_t err_len);

/* tool_hex_decode parses hex (upper or lower case, optional "0x", ':' separators allowed).
 * |*out| is malloc'd. Returns 0, or -1 for odd length, bad digits or empty input. */
int tool_hex_decode(const char *hex, uint8_t **out, size_t *out_len);

/* tool_hex_print writes |len| bytes as lower-case hex to |f|. */
void tool_hex_print(FILE *f, const uint8_t *data, size_t len);

/* tool_parse_u64 parses a decimal (or 0x-prefixed hex) unsigned number; 0 ok, -1 bad. */
int tool_parse_u64(const char *s, uint64_t *out);

/* tool_parse_time parses "YYYYMMDDHHMMSSZ" (GeneralizedTime) or Unix seconds. 0 or -1. */
int tool_parse_time(const char *s, int64_t *out);

/* tool_openssl_reason returns the reason text of the first queued OpenSSL error (and clears
 * the queue), or "" if none. Static storage; for one-line messages. */
const char *tool_openssl_reason(void);

/* ---- Options from the command line and an optional config file (NCONF syntax) ---- */

/* An option table entry: long name without dashes ("sign-key"), whether it takes a value,
 * and the config-file key (the same name with '_' for '-'). */
typedef struct {
    const char *name;
    int has_arg;
    const char *help;
} tool_opt;

#define TOOL_MAX_OPTS 64
#define TOOL_MAX_ARGS 8

/* Parsed options: one value (last one wins) per option, plus positional arguments. */
typedef struct {
    const tool_opt *table;
    size_t num_opts;
    const char *value[TOOL_MAX_OPTS]; /* NULL if absent; "1" for flags */
    int from_cli[TOOL_MAX_OPTS];
    const char *args[TOOL_MAX_ARGS];
    size_t num_args;
    CONF *conf; /* config file, if any; values above may point into it */
} tool_opts;

/* tool_opts_parse parses argv[first..argc) against |table|. "--name value", "--name=value"
 * and "-" (stdin) are accepted; "--" ends options. With |conf_opt| (e.g. "config") the
 * named option loads an NCONF file whose section |section| (or the value of the option
 * "section", if in the table) fills options not given on the command line. Returns 0 or -1
 * with |err| set. Free with tool_opts_cleanup. */
int tool_opts_parse(tool_opts *o, const tool_opt *table, size_t num_opts, int argc, char **argv,
                    int first, const char *conf_opt, const char *section, char *err,
                    size_t err_len);
void tool_opts_cleanup(tool_opts *o);

/* tool_opt_get returns the value of option |name| (NULL if absent). Aborts on a name that
 * is not in the table (a programming error). */
const char *tool_opt_get(const tool_opts *o, const char *name);

/* tool_opts_usage prints the table as "  --name VALUE   help" lines. */
void tool_opts_usage(FILE *f, const tool_opt *table, size_t num_opts);

#endif /* CMCKIT_TOOL_IO_H */
