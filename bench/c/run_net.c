/* Runs a model compiled by `cimc net.mlir -o net.o` once on the simulated
 * chip, for bench/compile.py: links net.o with libcimc_runtime.a and drives it
 * through the documented ABI (runtime/include/cimc_runtime.h).
 *
 * usage: run_net TARGET.toml INPUT.bin N H W C OUTPUTS OUTPUT.bin
 * INPUT.bin holds one N x H x W x C int8 tensor (the model's only argument);
 * OUTPUT.bin receives its N x OUTPUTS int8 result. Prints "cycles=<total>". */
#include <stdio.h>
#include <stdlib.h>

#include "cimc_runtime.h"

typedef struct {
    int8_t *allocated, *aligned;
    int64_t offset, sizes[4], strides[4];
} MemRef4I8;
typedef struct {
    int8_t *allocated, *aligned;
    int64_t offset, sizes[2], strides[2];
} MemRef2I8;

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
    if (argc != 9) {
        fprintf(stderr, "usage: %s TARGET.toml INPUT.bin N H W C OUTPUTS OUTPUT.bin\n", argv[0]);
        return 2;
    }
    long d[5];
    for (int i = 0; i < 5; i++) d[i] = atol(argv[3 + i]);
    size_t toml_len = 0, input_len = 0;
    char *toml = slurp(argv[1], &toml_len);
    char *input = slurp(argv[2], &input_len);
    if (!toml || !input || input_len != (size_t)(d[0] * d[1] * d[2] * d[3])) {
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
    int8_t *output = malloc((size_t)(d[0] * d[4]));
    int8_t *x = (int8_t *)input;
    MemRef4I8 in = {x, x, 0, {d[0], d[1], d[2], d[3]}, {d[1] * d[2] * d[3], d[2] * d[3], d[3], 1}};
    MemRef2I8 out = {output, output, 0, {d[0], d[4]}, {d[4], 1}};
    _mlir_ciface_net_main(&in, &out);
    if (cimc_rt_host_status(sim) != CIMC_RT_OK || cimc_rt_finish(sim) != CIMC_RT_OK) {
        fprintf(stderr, "run: %s\n", cimc_rt_host_error(sim));
        return 1;
    }
    CimcRtStats stats;
    if (cimc_rt_stats(sim, &stats) != CIMC_RT_OK) return 1;
    FILE *f = fopen(argv[8], "wb");
    if (!f || fwrite(output, 1, (size_t)(d[0] * d[4]), f) != (size_t)(d[0] * d[4])) return 1;
    fclose(f);
    printf("cycles=%llu\n", (unsigned long long)stats.total_cycles);
    cimc_rt_destroy(sim);
    return 0;
}
