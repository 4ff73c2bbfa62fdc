// RUN: %cimc %s --pass-pipeline='builtin.module(cim-verify-tosa-input,func.func(canonicalize))' --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s
// RUN: %cimc %s --emit=tosa --mlir-print-ir-before-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=BEFORE

// CHECK: IR Dump After cim-verify-tosa-input (cim-verify-tosa-input)
// CHECK: tosa.clamp
// CHECK: IR Dump After Canonicalizer (canonicalize)
// CHECK: func.func @f

// The tosa phase's pipeline: cimc's checks, then upstream validation.
// BEFORE: IR Dump Before cim-verify-tosa-input
// BEFORE: IR Dump Before cim-attach-tosa-target
// BEFORE: IR Dump Before TosaValidation (tosa-validate)
// BEFORE: IR Dump Before cim-detach-tosa-target
func.func @f(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %0 = tosa.clamp %a {min_val = 0 : i8, max_val = 6 : i8} : (tensor<1x4xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}
