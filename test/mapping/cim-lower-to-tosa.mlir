// RUN: %cimc %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-lower-to-tosa))' | FileCheck %s

// im2col: pad with the pad value, a slice per kernel position, concat.
// CHECK-LABEL: func.func @im2col
// CHECK: %[[PAD:.*]] = tosa.pad %arg0
// CHECK-COUNT-4: tosa.slice %[[PAD]]
// CHECK: tosa.concat {{.*}} {axis = 1 : i32} : (tensor<9x1xi8>, tensor<9x1xi8>, tensor<9x1xi8>, tensor<9x1xi8>) -> tensor<9x4xi8>
// CHECK-NOT: cim.
func.func @im2col(%x: tensor<1x3x3x1xi8>) -> tensor<9x4xi8> {
  %0 = "cim.im2col"(%x) {channel_major = false, dilation = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pad = array<i64: 0, 1, 0, 1>, pad_value = -3 : i64, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>) -> tensor<9x4xi8>
  return %0 : tensor<9x4xi8>
}

// -----

// Strided windows: pad to whole strides, regroup, keep every second row.
// CHECK-LABEL: func.func @strided
// CHECK: tosa.reshape {{.*}} -> tensor<2x2x2x2xi8>
// CHECK: tosa.slice {{.*}} -> tensor<2x1x2x1xi8>
func.func @strided(%x: tensor<1x4x4x1xi8>) -> tensor<4x1xi8> {
  %0 = "cim.im2col"(%x) {channel_major = false, dilation = array<i64: 1, 1>, kernel = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, pad_value = 0 : i64, stride = array<i64: 2, 2>} : (tensor<1x4x4x1xi8>) -> tensor<4x1xi8>
  return %0 : tensor<4x1xi8>
}

// -----

// program + mvm read as a matmul against the levels; shift_add weighs the
// slices by 2^(s*cell_bits) and sums them; accumulate adds.
// CHECK-LABEL: func.func @crossbar
// CHECK: %[[M:.*]] = tosa.matmul
// CHECK-SAME: (tensor<1x4x2xi8>, tensor<1x2x4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4xi32>
// CHECK: tosa.add
// CHECK: "tosa.const"() <{values = dense<{{\[\[}}[1, 4]]]> : tensor<1x1x2xi32>}>
// CHECK: tosa.mul
// CHECK: tosa.reduce_sum {{.*}} {axis = 2 : i32}
// CHECK-NOT: cim.
func.func @crossbar(%x: tensor<4x2xi8>) -> tensor<4x2xi32> {
  %l = "tosa.const"() <{values = dense<[[1, 2, 3, 0], [0, 1, 2, 3]]> : tensor<2x4xi8>}> : () -> tensor<2x4xi8>
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 4 : i64, layer = "l"} : (tensor<2x4xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<4x2xi8>) -> tensor<4x4xi32>
  %a = "cim.accumulate"(%p, %p) : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi32>
  %s = "cim.shift_add"(%a) {slices = 2 : i64, cell_bits = 2 : i64, differential = false, offset = 0 : i64} : (tensor<4x4xi32>) -> tensor<4x2xi32>
  return %s : tensor<4x2xi32>
}

// -----

// A 2-bit ADC cannot read 2 rows of level 3 (sum 6): not an ideal ADC.
func.func @clipping(%x: tensor<4x2xi8>) -> tensor<4x1xi32> {
  %l = "tosa.const"() <{values = dense<3> : tensor<2x1xi8>}> : () -> tensor<2x1xi8>
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "l"} : (tensor<2x1xi8>) -> !cim.tile
  // expected-error@+1 {{'cim.mvm' op has column sums up to 6 per step, beyond its 2-bit ADC; cim-lower-to-tosa models an ideal ADC only}}
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 2 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<4x2xi8>) -> tensor<4x1xi32>
  return %p : tensor<4x1xi32>
}

// -----

// The same tile with its column stored complemented (ISAAC's flip) sums to 0.
// CHECK-LABEL: func.func @flipped
// CHECK: tosa.matmul
func.func @flipped(%x: tensor<4x2xi8>) -> tensor<4x1xi32> {
  %l = "tosa.const"() <{values = dense<3> : tensor<2x1xi8>}> : () -> tensor<2x1xi8>
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "l", cim.flipped = array<i1: true>} : (tensor<2x1xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 2 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<4x2xi8>) -> tensor<4x1xi32>
  return %p : tensor<4x1xi32>
}
