// RUN: %cimc %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(cim-verify-tosa-input{only-tosa-ops=false})' | FileCheck %s

// With only-tosa-ops=false (what guards hand-written pipelines), other
// dialects pass, but TOSA ops are still checked.
// CHECK-LABEL: func.func @mixed
// CHECK: arith.addi
func.func @mixed(%a: tensor<4xi32>) -> tensor<4xi32> {
  %0 = arith.addi %a, %a : tensor<4xi32>
  %1 = tosa.abs %0 : (tensor<4xi32>) -> tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// Only TOSA ops are checked here: the signature may hold other types.
func.func @quant(%a: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error@+1 {{!quant element type}}
  %0 = tosa.abs %a : (tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5>>
}
