// RUN: %cimc %s --target-opt chip.cores=1 --target-opt core.macros=1 --target-opt macro.arrays=8 --target-opt replication.max_replicas=8 --pass-pipeline='builtin.module(func.func(cim-replicate,cim-place))' | FileCheck %s
// RUN: %cimc %s --target-opt chip.cores=1 --target-opt core.macros=1 --target-opt macro.arrays=8 --target-opt replication.max_replicas=4 --pass-pipeline='builtin.module(func.func(cim-replicate,cim-place))' | FileCheck %s --check-prefix=CAP
// RUN: %cimc %s --target-opt chip.cores=1 --target-opt core.macros=1 --target-opt macro.arrays=1 --target-opt replication.max_replicas=8 --pass-pipeline='builtin.module(func.func(cim-replicate,cim-place))' | FileCheck %s --check-prefix=FULL
// RUN: %cimc %s --target-opt replication.max_replicas=1 --pass-pipeline='builtin.module(func.func(cim-replicate))' | FileCheck %s --check-prefix=ONE
// RUN: %cimc %models/cnn.int8.mlir -O2 --no-graph --schedule ht --emit=cim --report -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// Layer a reads 64 windows, b 8, one array each; 8 arrays. The least
// period: a on 7 copies (⌈64/7⌉ = 10 windows each), b on 1 (8 windows);
// 6 + 2 copies would leave a 11 windows per copy. a's copies take arrays
// 0..6 in order, b array 7.
// CHECK-LABEL: func.func @two
// CHECK: cim.array = 0 : i64{{.*}}cim.replica_placements = array<i64: 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6, 0>, cim.replicas = 7 : i64
// CHECK: cim.array = 7 : i64{{.*}}cim.replicas = 1 : i64

// At most 4 copies: a gets 4 (16 windows each); more copies of b would
// not shorten the period.
// CAP: cim.replica_placements = array<i64: 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0>, cim.replicas = 4 : i64
// CAP: cim.array = 4 : i64{{.*}}cim.replicas = 1 : i64

// One array for two layers: the network is time-multiplexed, nothing is
// replicated.
// FULL: cim.phase = 0 : i64, cim.replicas = 1 : i64
// FULL: cim.phase = 1 : i64, cim.replicas = 1 : i64

// ONE: cim.replicas = 1 : i64
// ONE: cim.replicas = 1 : i64

// The report shows each stage with its copies and what bounds it, the
// period against the chip's bound, and the latency (the digits CNN on
// isaac; scripts/mapping_bounds.py --pipeline derives the same numbers).
// REPORT: pipeline stages (ht schedule
// REPORT: layer replicas arrays array-cyc buffer-cyc vector-cyc stage-cyc bound
// REPORT-NEXT: conv2d_0 64 64 1058 512 292 1058 arrays
// REPORT-NEXT: conv2d_1 16 16 1090 192 145 1090 arrays
// REPORT-NEXT: conv2d_2 1 1 1066 10 5 1066 arrays
// REPORT-NEXT: arrays placed = 81 of 16128 (copies included)
// REPORT-NEXT: HT period = 1090 cycles = 0.852 us (conv2d_1); bound = 5.2 cycles
// REPORT-NEXT: latency = 3214 cycles
func.func @two(%x: tensor<64x2xi8>, %y: tensor<8x2xi8>) -> (tensor<64x2xi32>, tensor<8x2xi32>) {
  %l = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  %a = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "a"} : (tensor<2x2xi8>) -> !cim.tile
  %b = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "b"} : (tensor<2x2xi8>) -> !cim.tile
  %pa = "cim.mvm"(%a, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "a"} : (!cim.tile, tensor<64x2xi8>) -> tensor<64x2xi32>
  %pb = "cim.mvm"(%b, %y) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "b"} : (!cim.tile, tensor<8x2xi8>) -> tensor<8x2xi32>
  return %pa, %pb : tensor<64x2xi32>, tensor<8x2xi32>
}
