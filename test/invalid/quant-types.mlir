// `!quant` element types make upstream tosa-to-linalg crash in MLIR 22.
// cimc checks TOSA input before any upstream pass runs, whatever pipeline
// the user gives: a located error and exit code 1, never a crash.
// RUN: %expect-exit 1 %cimc %s --pass-pipeline='builtin.module(func.func(tosa-to-linalg))' 2>&1 | FileCheck %s
// RUN: %expect-exit 1 %cimc %s 2>&1 | FileCheck %s
// RUN: %cimc %s --pass-pipeline='builtin.module(func.func(tosa-to-linalg))' --verify-diagnostics

func.func @quant(%a: tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5>> {
  // CHECK: quant-types.mlir:[[# @LINE + 2]]:8: error: 'tosa.clamp' op has a type 'tensor<1x4x!quant.uniform<i8:f32, 5.000000e-01>>' with a !quant element type; quantized TOSA 1.0 uses plain integer tensors
  // expected-error@+1 {{with a !quant element type}}
  %0 = tosa.clamp %a {min_val = 0 : i8, max_val = 6 : i8} : (tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<1x4x!quant.uniform<i8:f32, 0.5>>
}
