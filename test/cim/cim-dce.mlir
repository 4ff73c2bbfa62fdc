// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-dce)' | FileCheck %s

// A dead mvm goes, and with it the program it alone used.
// CHECK-LABEL: func.func @dead_chain
// CHECK-NOT: cim.
// CHECK: return
func.func @dead_chain(%w: tensor<4x2xi8>, %x: tensor<3x4xi8>) {
  %t = "cim.program"(%w) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "l", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64} : (tensor<4x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
  return
}

// -----

// Live ops stay; only the unused accumulate and its private mvm go.
// CHECK-LABEL: func.func @partly_live
// CHECK: %[[T:.*]] = "cim.program"
// CHECK-NEXT: %[[P:.*]] = "cim.mvm"(%[[T]]
// CHECK-NOT: cim.accumulate
// CHECK-NEXT: %[[S:.*]] = "cim.shift_add"(%[[P]])
// CHECK-NEXT: return %[[S]]
func.func @partly_live(%w: tensor<4x2xi8>, %x: tensor<3x4xi8>, %y: tensor<3x4xi8>) -> tensor<3x2xi32> {
  %t = "cim.program"(%w) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "l", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64} : (tensor<4x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
  %q = "cim.mvm"(%t, %y) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
  %a = "cim.accumulate"(%p, %q) : (tensor<3x2xi32>, tensor<3x2xi32>) -> tensor<3x2xi32>
  %s = "cim.shift_add"(%p) {slices = 1 : i64, cell_bits = 2 : i64, differential = false, offset = 0 : i64} : (tensor<3x2xi32>) -> tensor<3x2xi32>
  return %s : tensor<3x2xi32>
}

// -----

// Unused ops of other dialects are not cim-dce's business.
// CHECK-LABEL: func.func @other_dialects
// CHECK: tosa.abs
func.func @other_dialects(%a: tensor<4xi32>) {
  %0 = tosa.abs %a : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

// Nested regions are cleaned too.
// CHECK-LABEL: func.func @nested
// CHECK: scf.execute_region
// CHECK-NOT: cim.
// CHECK: scf.yield
func.func @nested(%w: tensor<4x2xi8>) {
  scf.execute_region {
    %t = "cim.program"(%w) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "l", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64} : (tensor<4x2xi8>) -> !cim.tile
    scf.yield
  }
  return
}
