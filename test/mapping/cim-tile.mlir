// RUN: %cimc %s --split-input-file --target-opt array.rows=3 --target-opt array.cols=2 --target-opt array.max_active_rows=3 --target-opt array.weight_flip=false --target-opt 'array.weight_bits=[2]' --pass-pipeline='builtin.module(func.func(cim-tile))' | FileCheck %s
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-tile))' | FileCheck %s --check-prefix=FLIP

// 5 rows x 3 columns of levels on 3x2 arrays: 2 row tiles x 2 column tiles.
// CHECK-LABEL: func.func @tiles
// CHECK: %[[X0:.*]] = tosa.slice %arg0, {{.*}} : (tensor<4x5xi8>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<4x3xi8>
// CHECK: "tosa.const"() <{values = dense<{{\[}}[0, 3], [0, 3], [1, 3]]> : tensor<3x2xi8>}>
// CHECK: %[[T0:.*]] = "cim.program"{{.*}} {cell_bits = 2 : i64, cim.col_offset = 0 : i64, cim.row_offset = 0 : i64, cim.used_cells = 6 : i64, layer = "l", weight_bits = 8 : i64}
// CHECK: %[[P0:.*]] = "cim.mvm"(%[[T0]], %[[X0]]) {adc_bits = 8 : i64, dac_bits = 1 : i64, input_bits = 8 : i64, layer = "l", max_active_rows = 3 : i64} : (!cim.tile, tensor<4x3xi8>) -> tensor<4x2xi32>
// CHECK: "tosa.const"() <{values = dense<{{\[}}[1], [1], [0]]> : tensor<3x1xi8>}>
// CHECK: "cim.program"{{.*}}cim.col_offset = 2 : i64, cim.row_offset = 0 : i64
// CHECK: %[[R0:.*]] = tosa.concat {{.*}} {axis = 1 : i32} : (tensor<4x2xi32>, tensor<4x1xi32>) -> tensor<4x3xi32>
// CHECK: tosa.slice %arg0{{.*}} -> tensor<4x2xi8>
// CHECK: "cim.program"{{.*}}cim.col_offset = 0 : i64, cim.row_offset = 3 : i64, cim.used_cells = 4 : i64
// CHECK: "cim.program"{{.*}}cim.col_offset = 2 : i64, cim.row_offset = 3 : i64, cim.used_cells = 2 : i64
// CHECK: %[[R1:.*]] = tosa.concat
// CHECK: "cim.accumulate"(%[[R0]], %[[R1]])
// FLIP-LABEL: func.func @tiles
// One 128x128 array; a column is stored complemented when its levels sum to
// more than half of 5 rows x level 3: column 1 (sum 14) is, columns 0 (2)
// and 2 (5) are not.
// FLIP: cim.flipped = array<i1: false, true, false>
func.func @tiles(%x: tensor<4x5xi8>) -> tensor<4x3xi32> {
  %l = "tosa.const"() <{values = dense<[[0, 3, 1], [0, 3, 1], [1, 3, 0], [0, 2, 3], [1, 3, 0]]> : tensor<5x3xi8>}> : () -> tensor<5x3xi8>
  %0 = "cim.matmul"(%x, %l) {input_bits = 8 : i64, weight_bits = 8 : i64, cell_bits = 2 : i64, layer = "l", blocks = 1 : i64} : (tensor<4x5xi8>, tensor<5x3xi8>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

// Depthwise: 3 channel blocks of 1 row x 1 column; 2 fit a 3x2 array
// (min(3/1, 2/1)), packed block-diagonally; the third gets its own array.
// CHECK-LABEL: func.func @blocks
// CHECK: "tosa.const"() <{values = dense<{{\[}}[1, 0], [0, 2]]> : tensor<2x2xi8>}>
// CHECK: "cim.program"{{.*}}cim.used_cells = 2 : i64
// CHECK: "tosa.const"() <{values = dense<3> : tensor<1x1xi8>}>
// CHECK: tosa.concat
func.func @blocks(%x: tensor<4x3xi8>) -> tensor<4x3xi32> {
  %l = "tosa.const"() <{values = dense<[[1, 2, 3]]> : tensor<1x3xi8>}> : () -> tensor<1x3xi8>
  %0 = "cim.matmul"(%x, %l) {input_bits = 8 : i64, weight_bits = 8 : i64, cell_bits = 2 : i64, layer = "dw", blocks = 3 : i64} : (tensor<4x3xi8>, tensor<1x3xi8>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}
