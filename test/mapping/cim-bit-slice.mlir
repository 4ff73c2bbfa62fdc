// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-bit-slice))' | FileCheck %s
// RUN: %cimc %s --split-input-file --target-opt array.encoding=differential --pass-pipeline='builtin.module(func.func(cim-bit-slice))' | FileCheck %s --check-prefix=DIFF
// RUN: %cimc %s --split-input-file --target-opt array.cell_bits=1 --pass-pipeline='builtin.module(func.func(cim-bit-slice))' | FileCheck %s --check-prefix=ONEBIT

// 4-bit weights on isaac's 2-bit cells, offset encoding: u = w + 8, two
// slices per weight, least significant first, and a reference column of
// ones after them that reads Σx:
//   w = 3 -> u = 11 = 0b1011 -> [3, 2];  w = -8 -> u = 0 -> [0, 0];
//   w = 7 -> u = 15 -> [3, 3];           w = -1 -> u = 7 -> [3, 1].
// CHECK-LABEL: func.func @offset
// CHECK: %[[L:.*]] = "tosa.const"() <{values = dense<{{\[}}[3, 2, 0, 0, 1], [3, 3, 3, 1, 1]]> : tensor<2x5xi8>}>
// CHECK: %[[P:.*]] = "cim.matmul"(%arg0, %[[L]]) {blocks = 1 : i64, cell_bits = 2 : i64, input_bits = 8 : i64, layer = "l", weight_bits = 4 : i64}
// The offset, 8·Σx per window, comes off in the shift-add: no host pass.
// CHECK: %[[S:.*]] = "cim.shift_add"(%[[P]]) {cell_bits = 2 : i64, differential = false, offset = 8 : i64, slices = 2 : i64} : (tensor<5x5xi32>) -> tensor<5x2xi32>
// CHECK-NOT: tosa.reduce_sum
// CHECK-NOT: tosa.sub
// CHECK: return %[[S]]
// DIFF-LABEL: func.func @offset
// DIFF: "tosa.const"() <{values = dense<{{\[}}[3, 0, 0, 0, 0, 0, 0, 2], [3, 1, 0, 0, 0, 0, 1, 0]]> : tensor<2x8xi8>}>
// DIFF: "cim.shift_add"{{.*}}differential = true, offset = 0 : i64
// DIFF-NOT: tosa.sub
// ONEBIT: tensor<2x9xi8>
// ONEBIT: slices = 4 : i64
func.func @offset(%x: tensor<5x2xi8>) -> tensor<5x2xi32> {
  %w = "tosa.const"() <{values = dense<[[3, -8], [7, -1]]> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  %0 = "cim.matmul"(%x, %w) {input_bits = 8 : i64, weight_bits = 4 : i64, cell_bits = 0 : i64, layer = "l", blocks = 1 : i64} : (tensor<5x2xi8>, tensor<2x2xi8>) -> tensor<5x2xi32>
  return %0 : tensor<5x2xi32>
}

// -----

// Depthwise blocks: each channel's columns end in its own reference column
// (two blocks of one output: [u slices, 1] each).
// CHECK-LABEL: func.func @blocks
// CHECK: "tosa.const"() <{values = dense<{{\[}}[3, 2, 1, 0, 0, 1], [3, 3, 1, 3, 1, 1]]> : tensor<2x6xi8>}>
// CHECK: "cim.shift_add"{{.*}}offset = 8 : i64{{.*}} : (tensor<5x6xi32>) -> tensor<5x2xi32>
// DIFF-LABEL: func.func @blocks
// DIFF: tensor<2x8xi8>
func.func @blocks(%x: tensor<5x4xi8>) -> tensor<5x2xi32> {
  %w = "tosa.const"() <{values = dense<[[3, -8], [7, -1]]> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  %0 = "cim.matmul"(%x, %w) {input_bits = 8 : i64, weight_bits = 4 : i64, cell_bits = 0 : i64, layer = "l", blocks = 2 : i64} : (tensor<5x4xi8>, tensor<2x2xi8>) -> tensor<5x2xi32>
  return %0 : tensor<5x2xi32>
}

// -----

// Already sliced: left alone.
// CHECK-LABEL: func.func @levels
// CHECK: "cim.matmul"
// CHECK-NOT: cim.shift_add
func.func @levels(%x: tensor<5x2xi8>) -> tensor<5x2xi32> {
  %w = "tosa.const"() <{values = dense<[[3, 0], [1, 2]]> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  %0 = "cim.matmul"(%x, %w) {input_bits = 8 : i64, weight_bits = 4 : i64, cell_bits = 2 : i64, layer = "l", blocks = 1 : i64} : (tensor<5x2xi8>, tensor<2x2xi8>) -> tensor<5x2xi32>
  return %0 : tensor<5x2xi32>
}
