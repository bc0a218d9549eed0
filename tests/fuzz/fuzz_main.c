/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_main.c: without libFuzzer, a fuzz target is an ordinary program that replays files
 * (a corpus folder or single files) through LLVMFuzzerTestOneInput: the `fuzz` test suite.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    uint8_t *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    if (buf == NULL) {
        return 1;
    }
    uint8_t *exact = malloc(n ? n : 1); /* exact size so ASan sees any over-read */
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

int main(int argc, char **argv)
{
    int ran = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "no such input: %s\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i])) {
                return 1;
            }
            ran++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL) {
            char p[4096];
            if (de->d_name[0] == '.') {
                continue;
            }
            snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
            if (run_file(p)) {
                closedir(d);
                return 1;
            }
            ran++;
        }
        if (d) {
            closedir(d);
        }
    }
    printf("1..1\nok 1 - replayed %d inputs\n", ran);
    return 0;
}
