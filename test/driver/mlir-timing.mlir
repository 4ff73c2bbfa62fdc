// A pipeline mixing cimc and upstream passes runs in one pass manager;
// --mlir-timing lists both.
// RUN: %cimc %s --pass-pipeline='builtin.module(cim-verify-tosa-input,func.func(canonicalize),cim-dce)' --mlir-timing -o /dev/null 2>&1 | FileCheck %s

// CHECK: Execution time report
// CHECK: Wall Time
// CHECK: cim-verify-tosa-input
// CHECK: 'func.func' Pipeline
// CHECK: Canonicalizer
// CHECK: cim-dce
// CHECK: Total
func.func @f(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %0 = tosa.clamp %a {min_val = 0 : i8, max_val = 6 : i8} : (tensor<1x4xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}
