/* A C program that runs a model compiled by `cimc net.mlir -o net.o` on the
 * simulated chip: it links net.o with the runtime library (libcimc_runtime.a)
 * and drives it through the documented ABI (runtime/include/cimc_runtime.h).
 *
 * usage: driver TARGET.toml INPUT.bin N OUTPUT.bin TRACE.json
 * INPUT.bin holds N samples of 8x8x1 int8 (the digits models), OUTPUT.bin
 * receives N x 10 int8 logits. Prints "cycles=<total> steps=<array steps>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cimc_runtime.h"

/* MLIR's memref descriptors (llvm.emit_c_interface). */
typedef struct {
    int8_t *allocated, *aligned;
    int64_t offset, sizes[4], strides[4];
} MemRef4I8;
typedef struct {
    int8_t *allocated, *aligned;
    int64_t offset, sizes[2], strides[2];
} MemRef2I8;

/* Exported by net.o: tile programming, and the model's @main. */
extern int32_t _mlir_ciface_cimc_init(CimcRtSim *sim);
extern void _mlir_ciface_net_main(MemRef4I8 *input, MemRef2I8 *output);

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) return NULL;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s TARGET.toml INPUT.bin N OUTPUT.bin TRACE.json\n", argv[0]);
        return 2;
    }
    size_t toml_len = 0, input_len = 0;
    char *toml = slurp(argv[1], &toml_len);
    char *input = slurp(argv[2], &input_len);
    long n = atol(argv[3]);
    if (!toml || !input || n <= 0 || input_len != (size_t)n * 64) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    CimcRtSim *sim = NULL;
    if (cimc_rt_create(CIMC_RT_ABI_VERSION, toml, toml_len, &sim) != CIMC_RT_OK) {
        fprintf(stderr, "create: %s\n", cimc_rt_last_error(NULL));
        return 1;
    }
    if (_mlir_ciface_cimc_init(sim) != 0 || cimc_rt_host_status(sim) != CIMC_RT_OK) {
        fprintf(stderr, "init: %s\n", cimc_rt_host_error(sim));
        return 1;
    }
    int8_t *output = malloc((size_t)n * 10);
    for (long i = 0; i < n; i++) {
        int8_t *x = (int8_t *)input + i * 64;
        MemRef4I8 in = {x, x, 0, {1, 8, 8, 1}, {64, 8, 1, 1}};
        MemRef2I8 out = {output + i * 10, output + i * 10, 0, {1, 10}, {10, 1}};
        _mlir_ciface_net_main(&in, &out);
        if (cimc_rt_host_status(sim) != CIMC_RT_OK) {
            fprintf(stderr, "sample %ld: %s\n", i, cimc_rt_host_error(sim));
            return 1;
        }
    }
    /* Misuse after the run is an error code, not a crash. */
    if (cimc_rt_set_batch(sim, (uint64_t)n) != CIMC_RT_OK || cimc_rt_finish(sim) != CIMC_RT_OK) {
        fprintf(stderr, "finish: %s\n", cimc_rt_last_error(sim));
        return 1;
    }
    if (cimc_rt_finish(sim) != CIMC_RT_AFTER_FINISH) {
        fprintf(stderr, "finishing twice was not refused\n");
        return 1;
    }
    CimcRtStats stats;
    if (cimc_rt_stats(sim, &stats) != CIMC_RT_OK) return 1;
    if (cimc_rt_write_trace(sim, argv[5], strlen(argv[5])) != CIMC_RT_OK) {
        fprintf(stderr, "trace: %s\n", cimc_rt_last_error(sim));
        return 1;
    }
    FILE *f = fopen(argv[4], "wb");
    if (!f || fwrite(output, 1, (size_t)n * 10, f) != (size_t)n * 10) return 1;
    fclose(f);
    printf("cycles=%llu steps=%llu\n", (unsigned long long)stats.total_cycles,
           (unsigned long long)stats.array_steps);
    cimc_rt_destroy(sim);
    free(output);
    free(input);
    free(toml);
    return 0;
}
