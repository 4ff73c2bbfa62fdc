// RUN: %cimc %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-schedule))' | FileCheck %s

// steps = windows x ceil(input_bits / dac_bits) x ceil(rows / max_active_rows)
//       = 6 x ceil(8 / 2) x ceil(5 / 2) = 72; layers become stages in order.
// CHECK-LABEL: func.func @steps
// CHECK-SAME: cim.schedule = "layer-sequential"
// CHECK: "cim.mvm"{{.*}}cim.stage = 0 : i64, cim.steps = 72 : i64
// CHECK: "cim.mvm"{{.*}}cim.stage = 1 : i64, cim.steps = 24 : i64
func.func @steps(%x: tensor<6x5xi8>) -> (tensor<6x2xi32>, tensor<6x2xi32>) {
  %l = "tosa.const"() <{values = dense<1> : tensor<5x2xi8>}> : () -> tensor<5x2xi8>
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "a", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64, cim.phase = 0 : i64} : (tensor<5x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 2 : i64, adc_bits = 8 : i64, max_active_rows = 2 : i64, layer = "a"} : (!cim.tile, tensor<6x5xi8>) -> tensor<6x2xi32>
  %u = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "b", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 1 : i64, cim.phase = 0 : i64} : (tensor<5x2xi8>) -> !cim.tile
  %q = "cim.mvm"(%u, %x) {input_bits = 4 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "b"} : (!cim.tile, tensor<6x5xi8>) -> tensor<6x2xi32>
  return %p, %q : tensor<6x2xi32>, tensor<6x2xi32>
}

// -----

func.func @unplaced(%x: tensor<6x5xi8>) -> tensor<6x2xi32> {
  %l = "tosa.const"() <{values = dense<1> : tensor<5x2xi8>}> : () -> tensor<5x2xi8>
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 8 : i64, layer = "a"} : (tensor<5x2xi8>) -> !cim.tile
  // expected-error@+1 {{'cim.mvm' op reads a tile that is not placed; run cim-place before cim-schedule}}
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 2 : i64, adc_bits = 8 : i64, max_active_rows = 2 : i64, layer = "a"} : (!cim.tile, tensor<6x5xi8>) -> tensor<6x2xi32>
  return %p : tensor<6x2xi32>
}
