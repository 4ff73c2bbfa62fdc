/* Drives the cimc runtime through its C ABI: program a tile, run an mvm,
 * check the exact result and the stats, and check every misuse error code.
 * Built and run by runtime/tests/c_abi.rs. Prints "ok" and exits 0. */
#include "cimc_runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define EXPECT(cond)                                                       \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                          \
    }                                                                      \
  } while (0)

#define EXPECT_STATUS(call, want)                                              \
  do {                                                                         \
    int32_t got_ = (call);                                                     \
    if (got_ != (want)) {                                                      \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s (%s)\n", __FILE__, \
              __LINE__, #call, cimc_rt_status_name(got_),                      \
              cimc_rt_status_name(want), cimc_rt_last_error(sim));             \
      failures++;                                                              \
    }                                                                          \
  } while (0)

int main(int argc, char **argv) {
  const char *trace_path = argc > 1 ? argv[1] : "trace.json";
  const char *toml = "base = \"isaac\"\nname = \"c-test\"\n";
  CimcRtSim *sim = NULL;

  /* Creation errors. */
  EXPECT(cimc_rt_abi_version() == CIMC_RT_ABI_VERSION);
  sim = (CimcRtSim *)1;
  EXPECT(cimc_rt_create(CIMC_RT_ABI_VERSION + 1, toml, strlen(toml), &sim) ==
         CIMC_RT_BAD_VERSION);
  EXPECT(sim == NULL);
  EXPECT(strstr(cimc_rt_last_error(NULL), "version") != NULL);
  const char *bad = "base = \"isaac\"\n[array]\nrowz = 1\n";
  EXPECT(cimc_rt_create(CIMC_RT_ABI_VERSION, bad, strlen(bad), &sim) ==
         CIMC_RT_BAD_TARGET);
  EXPECT(strstr(cimc_rt_last_error(NULL), "array.rowz") != NULL);
  /* A chip with non-idealities is simulated (an analog chip instance). */
  const char *noisy = "base = \"isaac\"\n[non_idealities]\nread_noise_sigma = 0.1\n";
  EXPECT(cimc_rt_create(CIMC_RT_ABI_VERSION, noisy, strlen(noisy), &sim) ==
         CIMC_RT_OK);
  cimc_rt_destroy(sim);
  sim = NULL;
  const char *no_adc = "base = \"sram-digital\"\n[non_idealities]\nadc_offset_lsb = 1.0\n";
  EXPECT(cimc_rt_create(CIMC_RT_ABI_VERSION, no_adc, strlen(no_adc), &sim) ==
         CIMC_RT_BAD_TARGET);
  EXPECT(strstr(cimc_rt_last_error(NULL), "non_idealities.adc_offset_lsb") != NULL);
  EXPECT(cimc_rt_create(CIMC_RT_ABI_VERSION, NULL, 4, &sim) ==
         CIMC_RT_NULL_POINTER);
  EXPECT(cimc_rt_create(CIMC_RT_ABI_VERSION, toml, strlen(toml), NULL) ==
         CIMC_RT_NULL_POINTER);
  EXPECT(cimc_rt_create(CIMC_RT_ABI_VERSION, toml, strlen(toml), &sim) ==
         CIMC_RT_OK);
  EXPECT(sim != NULL);
  if (!sim) return 1;

  /* A 4 x 3 tile of 2-bit levels; column 2 stored complemented. */
  enum { R = 4, C = 3, N = 2 };
  const uint8_t levels[R * C] = {1, 2, 3, 0, 3, 1, 2, 2, 3, 3, 1, 2};
  const uint8_t flipped[C] = {0, 0, 1};
  EXPECT_STATUS(cimc_rt_program(sim, 1, 2, 3, 0, levels, R, C, 2, flipped),
                CIMC_RT_OK);
  EXPECT_STATUS(cimc_rt_set_label(sim, 1, 2, 3, 0, "conv1", 5), CIMC_RT_OK);

  const int8_t input[N * R] = {1, -2, 3, -128, 127, 0, -1, 5};
  int32_t output[N * C];
  uint64_t token = 0;
  EXPECT_STATUS(cimc_rt_mvm(sim, 1, 2, 3, 0, input, N, R, output, C, 8, 1, 8, 0,
                            128, 0, NULL, 0, &token),
                CIMC_RT_OK);
  EXPECT(token == 1);
  for (int n = 0; n < N; n++)
    for (int c = 0; c < C; c++) {
      int32_t want = 0;
      for (int r = 0; r < R; r++) want += input[n * R + r] * levels[r * C + c];
      if (output[n * C + c] != want) {
        fprintf(stderr, "output[%d][%d] = %d, expected %d\n", n, c,
                output[n * C + c], want);
        failures++;
      }
    }

  /* A host op after the mvm, a transfer after the host op. */
  uint64_t host = 0, moved = 0;
  EXPECT_STATUS(cimc_rt_host_op(sim, 6, 1.0, -1.0, "rescale", 7, &token, 1, &host),
                CIMC_RT_OK);
  EXPECT_STATUS(cimc_rt_transfer(sim, 1, 0, 24, &host, 1, &moved), CIMC_RT_OK);
  EXPECT(host == 2 && moved == 3);

  /* Misuse: every case is an error code with a message, never a crash. */
  EXPECT_STATUS(cimc_rt_mvm(NULL, 1, 2, 3, 0, input, N, R, output, C, 8, 1, 8, 0,
                            128, 0, NULL, 0, NULL),
                CIMC_RT_NULL_POINTER);
  EXPECT(strlen(cimc_rt_last_error(NULL)) > 0);
  EXPECT_STATUS(cimc_rt_mvm(sim, 999, 0, 0, 0, input, N, R, output, C, 8, 1, 8, 0,
                            128, 0, NULL, 0, NULL),
                CIMC_RT_UNKNOWN_ARRAY);
  EXPECT(strstr(cimc_rt_last_error(sim), "core 999") != NULL);
  EXPECT_STATUS(cimc_rt_mvm(sim, 0, 0, 0, 0, input, N, R, output, C, 8, 1, 8, 0,
                            128, 0, NULL, 0, NULL),
                CIMC_RT_UNPROGRAMMED_ARRAY);
  EXPECT_STATUS(cimc_rt_mvm(sim, 1, 2, 3, 1, input, N, R, output, C, 8, 1, 8, 0,
                            128, 0, NULL, 0, NULL),
                CIMC_RT_UNPROGRAMMED_ARRAY);
  EXPECT_STATUS(cimc_rt_mvm(sim, 1, 2, 3, 0, input, 1, R + 1, output, C, 8, 1, 8, 0,
                            128, 0, NULL, 0, NULL),
                CIMC_RT_SHAPE_MISMATCH);
  EXPECT_STATUS(cimc_rt_mvm(sim, 1, 2, 3, 0, NULL, N, R, output, C, 8, 1, 8, 0,
                            128, 0, NULL, 0, NULL),
                CIMC_RT_NULL_POINTER);
  EXPECT_STATUS(cimc_rt_mvm(sim, 1, 2, 3, 0, input, N, R, NULL, C, 8, 1, 8, 0,
                            128, 0, NULL, 0, NULL),
                CIMC_RT_NULL_POINTER);
  EXPECT_STATUS(cimc_rt_mvm(sim, 1, 2, 3, 0, input, N, R, output, C, 8, 1, 8, 0,
                            128, 0, NULL, 3, NULL),
                CIMC_RT_NULL_POINTER);
  uint64_t never = 77;
  EXPECT_STATUS(cimc_rt_mvm(sim, 1, 2, 3, 0, input, N, R, output, C, 8, 1, 8, 0,
                            128, 0, &never, 1, NULL),
                CIMC_RT_UNKNOWN_TOKEN);
  EXPECT_STATUS(cimc_rt_mvm(sim, 1, 2, 3, 0, input, N, R, output, C, 0, 1, 8, 0,
                            128, 0, NULL, 0, NULL),
                CIMC_RT_BAD_ARGUMENT);
  /* An ADC LSB of 2^31 sum units is out of range. */
  EXPECT_STATUS(cimc_rt_mvm(sim, 1, 2, 3, 0, input, N, R, output, C, 8, 1, 8, 31,
                            128, 0, NULL, 0, NULL),
                CIMC_RT_BAD_ARGUMENT);
  EXPECT(strstr(cimc_rt_last_error(sim), "adc_shift") != NULL);
  const uint8_t too_high[R * C] = {4};
  EXPECT_STATUS(cimc_rt_program(sim, 0, 0, 0, 0, too_high, R, C, 2, NULL),
                CIMC_RT_BAD_ARGUMENT);
  EXPECT(strstr(cimc_rt_last_error(sim), "level 4") != NULL);
  EXPECT_STATUS(cimc_rt_program(sim, 0, 0, 0, 0, NULL, R, C, 2, NULL),
                CIMC_RT_NULL_POINTER);
  /* Shapes are checked against the target before any level is read. */
  EXPECT_STATUS(cimc_rt_program(sim, 0, 0, 0, 0, levels, 200, 1, 2, NULL),
                CIMC_RT_SHAPE_MISMATCH);
  EXPECT_STATUS(cimc_rt_program(sim, 0, 0, 99, 0, levels, R, C, 2, NULL),
                CIMC_RT_UNKNOWN_ARRAY);
  EXPECT_STATUS(cimc_rt_host_op(sim, 1, NAN, 1.0, NULL, 0, NULL, 0, NULL),
                CIMC_RT_BAD_ARGUMENT);
  EXPECT_STATUS(cimc_rt_write_trace(sim, "/nonexistent-dir/x/trace.json", 29),
                CIMC_RT_IO_ERROR);
  EXPECT_STATUS(cimc_rt_stats(sim, NULL), CIMC_RT_NULL_POINTER);

  /* Stats. */
  CimcRtStats st;
  memset(&st, 0xff, sizeof st);
  EXPECT_STATUS(cimc_rt_finish(sim), CIMC_RT_OK);
  EXPECT_STATUS(cimc_rt_stats(sim, &st), CIMC_RT_OK);
  EXPECT(st.abi_version == CIMC_RT_ABI_VERSION && st.finished == 1);
  EXPECT(st.array_steps == N * 8); /* n * ceil(8/1) * ceil(4/128) */
  EXPECT(st.mvms == 1 && st.programs == 1 && st.host_ops == 1 && st.transfers == 1);
  EXPECT(st.ops == 2 * N * R * C);
  EXPECT(st.init_cycles == 4 * 1280); /* 4 rows x latency.program_row */
  EXPECT(st.run_cycles > 0 && st.total_cycles == st.init_cycles + st.run_cycles);
  EXPECT(fabs(st.energy_program_pj - 12 * 10.0) < 1e-9); /* 12 cells x 10 pJ */
  EXPECT(fabs(st.energy_host_pj - 6.0) < 1e-9);
  EXPECT(fabs(st.energy_total_pj -
              (st.energy_program_pj + st.energy_array_pj + st.energy_dac_pj +
               st.energy_adc_pj + st.energy_shift_add_pj + st.energy_buffer_pj +
               st.energy_network_pj + st.energy_host_pj)) < 1e-6);
  EXPECT(st.arrays_used == 1 && st.tops > 0 && st.tops_per_w > 0);
  EXPECT(st.reserved[0] == 0 && st.reserved[7] == 0);
  CimcRtArrayStats as;
  EXPECT_STATUS(cimc_rt_array_stats(sim, 1, 2, 3, &as), CIMC_RT_OK);
  EXPECT(as.mvms == 1 && as.steps == N * 8 && as.programs == 1);
  EXPECT_STATUS(cimc_rt_array_stats(sim, 1, 2, 99, &as), CIMC_RT_UNKNOWN_ARRAY);

  /* After finish: issuing is an error; stats and the trace still work. */
  EXPECT_STATUS(cimc_rt_mvm(sim, 1, 2, 3, 0, input, N, R, output, C, 8, 1, 8, 0,
                            128, 0, NULL, 0, NULL),
                CIMC_RT_AFTER_FINISH);
  EXPECT_STATUS(cimc_rt_program(sim, 1, 2, 3, 0, levels, R, C, 2, NULL),
                CIMC_RT_AFTER_FINISH);
  EXPECT_STATUS(cimc_rt_finish(sim), CIMC_RT_AFTER_FINISH);
  EXPECT_STATUS(cimc_rt_write_trace(sim, trace_path, strlen(trace_path)), CIMC_RT_OK);
  EXPECT(strcmp(cimc_rt_last_error(sim), "") == 0);
  EXPECT(strcmp(cimc_rt_status_name(CIMC_RT_SHAPE_MISMATCH), "CIMC_RT_SHAPE_MISMATCH") == 0);
  EXPECT(strcmp(cimc_rt_status_name(-5), "CIMC_RT_UNKNOWN_STATUS") == 0);

  cimc_rt_destroy(sim);
  cimc_rt_destroy(NULL);
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("ok\n");
  return 0;
}
