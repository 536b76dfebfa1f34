/* replay_main.c - main() for the replay_<name> programs: feeds every file
 * named on the command line, and every regular file in each directory named
 * there, to the target's LLVMFuzzerTestOneInput, so saved corpora and past
 * crashes run in ctest without libFuzzer. A crash or abort fails the test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
    char *buf;
    size_t n;
    gh_err e;
    if (gh_read_file(path, 64u << 20, &buf, &n, &e)) {
        fprintf(stderr, "replay: %s: %s\n", path, e.msg);
        return -1;
    }
    /* An exact-size copy, so reads past the end are caught by ASan. */
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy) {
        gh_free(buf);
        return -1;
    }
    if (n) memcpy(copy, buf, n);
    gh_free(buf);
    LLVMFuzzerTestOneInput(copy, n);
    free(copy);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    long count = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) {
            fprintf(stderr, "replay: cannot stat %s\n", argv[i]);
            bad++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i]))
                bad++;
            else
                count++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "replay: cannot open %s\n", argv[i]);
            bad++;
            continue;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.') continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
            if (stat(path, &st) || !S_ISREG(st.st_mode)) continue;
            if (run_file(path))
                bad++;
            else
                count++;
        }
        closedir(d);
    }
    printf("replayed %ld inputs, %ld unreadable\n", count, bad);
    return bad ? 1 : 0;
}
