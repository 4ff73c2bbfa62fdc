// The tosa phase: the input parsed, checked by cimc, validated by upstream
// tosa-validate against the profiles and extensions it uses, and printed
// without the target environment used to validate it.
// RUN: %cimc %s --emit=tosa --split-input-file | FileCheck %s
// RUN: %cimc %s --emit=tosa --split-input-file | %cimc - --emit=tosa --split-input-file | FileCheck %s
// RUN: %cimc %s --emit=tosa --split-input-file | %mlir-opt --split-input-file | FileCheck %s

// CHECK-NOT: tosa.target_env
// CHECK-LABEL: func.func @int8_rescale
// CHECK: tosa.rescale
func.func @int8_rescale(%a: tensor<1x4xi32>) -> tensor<1x4xi8> {
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<31> : tensor<1xi8>} : () -> tensor<1xi8>
  %zi = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %zo = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.rescale %a, %m, %s, %zi, %zo {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}

// -----

// CHECK-LABEL: func.func @float_matmul
// CHECK: tosa.matmul
func.func @float_matmul(%a: tensor<1x2x3xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x2x4xf32> {
  %za = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %0 = tosa.matmul %a, %b, %za, %za : (tensor<1x2x3xf32>, tensor<1x3x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

// A module that brings its own target keeps being validated against it.
// CHECK-LABEL: func.func @own_target
module attributes {tosa.target_env = #tosa.target_env<specification_version = "1.0", level = none, profiles = [pro_int, pro_fp], extensions = [bf16]>} {
  func.func @own_target(%a: tensor<4xbf16>) -> tensor<4xbf16> {
    %0 = tosa.abs %a : (tensor<4xbf16>) -> tensor<4xbf16>
    return %0 : tensor<4xbf16>
  }
}
