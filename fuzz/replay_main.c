/* replay_main.c: plain driver that replays fuzz inputs in ordinary builds (OpenSSL's
 * test-corpus.c idea). Arguments are files or directories; each file is passed once to
 * LLVMFuzzerTestOneInput. Exit 0 when every input ran; a crash or abort fails ctest. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define REPLAY_MAX_INPUT_BYTES (4 * 1024 * 1024) /* larger than any max_len of our targets */

static int replay_file(const char *path, size_t *count) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    uint8_t *buf = malloc(REPLAY_MAX_INPUT_BYTES);
    if (buf == NULL) {
        fclose(f);
        return 1;
    }
    size_t n = fread(buf, 1, REPLAY_MAX_INPUT_BYTES, f);
    fclose(f);
    /* Copy into an exact-size buffer so ASan sees reads past the end. */
    uint8_t *exact = malloc(n ? n : 1);
    if (exact == NULL) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    (*count)++;
    return 0;
}

static int replay_path(const char *path, size_t *count) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot stat %s\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        return replay_file(path, count);
    }
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char child[4096];
            snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name);
            rc |= replay_path(child, count);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv) {
    if (LLVMFuzzerInitialize != NULL) {
        LLVMFuzzerInitialize(&argc, &argv);
    }
    size_t count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        rc |= replay_path(argv[i], &count);
    }
    printf("replayed %zu inputs\n", count);
    return rc;
}
