// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-attach-tosa-target)' --mlir-print-op-generic | FileCheck %s
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-attach-tosa-target{level=8k})' --mlir-print-op-generic | FileCheck %s --check-prefix=LEVEL
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-attach-tosa-target,tosa-validate)' -o /dev/null

// Printed generically: MLIR 22 prints an empty extension list that its own
// parser rejects, so the attribute is checked on the generic form.

// An integer module needs pro_int only; with no extension in use the list
// names doubleround, which gates nothing here.
// CHECK-LABEL: sym_name = "int8"
// CHECK: profiles = [pro_int], extensions = [doubleround]
// LEVEL: level = "8k"
func.func @int8(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %0 = tosa.clamp %a {min_val = 0 : i8, max_val = 6 : i8} : (tensor<1x4xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}

// -----

// CHECK-LABEL: sym_name = "float"
// CHECK: profiles = [pro_fp], extensions = [doubleround]
func.func @float(%a: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = tosa.clamp %a {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// A float model with an integer argmax uses both profiles.
// CHECK-LABEL: sym_name = "both"
// CHECK: profiles = [pro_int, pro_fp]
func.func @both(%a: tensor<1x10xf32>) -> tensor<1xi32> {
  %0 = tosa.argmax %a {axis = 1 : i32} : (tensor<1x10xf32>) -> tensor<1xi32>
  return %0 : tensor<1xi32>
}

// -----

// DOUBLE_ROUND rescales need the doubleround extension.
// CHECK-LABEL: sym_name = "rescale"
// CHECK: profiles = [pro_int], extensions = [doubleround]
func.func @rescale(%a: tensor<1x4xi32>) -> tensor<1x4xi8> {
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<31> : tensor<1xi8>} : () -> tensor<1xi8>
  %zi = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %zo = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.rescale %a, %m, %s, %zi, %zo {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}

// -----

// i4 weights need int4.
// CHECK-LABEL: sym_name = "int4_weights"
// CHECK: profiles = [pro_int], extensions = [int4]
func.func @int4_weights(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %w = "tosa.const"() {values = dense<3> : tensor<2x1x1x2xi4>} : () -> tensor<2x1x1x2xi4>
  %b = "tosa.const"() {values = dense<0> : tensor<2xi32>} : () -> tensor<2xi32>
  %xz = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %wz = "tosa.const"() {values = dense<0> : tensor<1xi4>} : () -> tensor<1xi4>
  %0 = tosa.conv2d %x, %w, %b, %xz, %wz {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x1x1x2xi4>, tensor<2xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x4x4x2xi32>
  return %0 : tensor<1x4x4x2xi32>
}

// -----

// 16-bit activations into a convolution accumulate in i48: int16.
// CHECK-LABEL: sym_name = "int16_act"
// CHECK: profiles = [pro_int], extensions = [int16]
func.func @int16_act(%x: tensor<1x4x4x2xi16>) -> tensor<1x4x4x2xi48> {
  %w = "tosa.const"() {values = dense<3> : tensor<2x1x1x2xi8>} : () -> tensor<2x1x1x2xi8>
  %b = "tosa.const"() {values = dense<0> : tensor<2xi48>} : () -> tensor<2xi48>
  %xz = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %wz = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.conv2d %x, %w, %b, %xz, %wz {acc_type = i48, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi16>, tensor<2x1x1x2xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x4x4x2xi48>
  return %0 : tensor<1x4x4x2xi48>
}

// -----

// A target the module already has is kept.
// CHECK-LABEL: sym_name = "kept"
// CHECK: profiles = [pro_int, pro_fp], extensions = [bf16]
module attributes {tosa.target_env = #tosa.target_env<specification_version = "1.0", level = none, profiles = [pro_int, pro_fp], extensions = [bf16]>} {
  func.func @kept(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
    return %a : tensor<1x4xi8>
  }
}
