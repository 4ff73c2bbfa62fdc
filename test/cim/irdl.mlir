// The IRDL definition, as mlir-opt reads it, accepts the cim IR cimc prints,
// and rejects ops that break it.
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-cse)' -o %t
// RUN: %mlir-opt --irdl-file=%cim-irdl --split-input-file %t | FileCheck %s
// RUN: %cimc %t --split-input-file --pass-pipeline='builtin.module(cim-dce)' | %mlir-opt --irdl-file=%cim-irdl --split-input-file | FileCheck %s --check-prefix=DCE
// RUN: not %mlir-opt --irdl-file=%cim-irdl %S/Inputs/bad-attribute.mlir 2>&1 | FileCheck %s --check-prefix=MLIROPT-BAD
// RUN: not %cimc --pass-pipeline='builtin.module(cim-dce)' %S/Inputs/bad-attribute.mlir 2>&1 | FileCheck %s --check-prefix=CIMC-BAD

// CHECK-LABEL: func.func @all_ops
// CHECK: "cim.program"
// CHECK: "cim.mvm"
// CHECK: "cim.shift_add"
// CHECK: "cim.accumulate"
// DCE-LABEL: func.func @all_ops
// DCE: "cim.accumulate"
func.func @all_ops(%w: tensor<4x2xi8>, %x: tensor<3x4xi8>) -> tensor<3x2xi32> {
  %t = "cim.program"(%w) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "l", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 3 : i64} : (tensor<4x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
  %s = "cim.shift_add"(%p) {slices = 1 : i64, cell_bits = 2 : i64, differential = false, offset = 0 : i64} : (tensor<3x2xi32>) -> tensor<3x2xi32>
  %a = "cim.accumulate"(%s, %p) : (tensor<3x2xi32>, tensor<3x2xi32>) -> tensor<3x2xi32>
  return %a : tensor<3x2xi32>
}

// MLIROPT-BAD: error: expected base attribute 'builtin.integer' but got 'builtin.string'
// CIMC-BAD: bad-attribute.mlir:3:8: error: expected base attribute 'builtin.integer' but got 'builtin.string'
