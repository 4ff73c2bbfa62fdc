// RUN: %cimc %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(cim-verify-tosa-input)' | FileCheck %s

// Plain TOSA on static tensors passes unchanged.
// CHECK-LABEL: func.func @accepted
// CHECK: tosa.add
func.func @accepted(%a: tensor<1x4xi8>, %b: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %0 = tosa.add %a, %b : (tensor<1x4xi8>, tensor<1x4xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}

// -----

// Shapes are TOSA types, not tensors, and are accepted.
// CHECK-LABEL: func.func @shapes
func.func @shapes(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %s = tosa.const_shape {values = dense<[3, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %0 = tosa.reshape %a, %s : (tensor<2x3xf32>, !tosa.shape<2>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @not_tosa(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{'arith.addi' op is not a TOSA operation; cimc accepts TOSA 1.0 (tosa.* ops) inside func.func}}
  %0 = arith.addi %a, %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// expected-error@+1 {{'func.func' op has a signature type 'tensor<1x4x!quant.uniform<i8:f32, 5.000000e-01>>' with a !quant element type}}
func.func @quant_type(%a: tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error@+1 {{with a !quant element type; quantized TOSA 1.0 uses plain integer tensors}}
  %0 = tosa.clamp %a {min_val = 0 : i8, max_val = 6 : i8} : (tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<1x4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// A dynamic signature is reported once, at the signature, not at every op
// it makes dynamic.
// expected-error@+1 {{'func.func' op has a signature type 'tensor<?x4xf32>' with a dynamic dimension; cimc compiles static shapes: a dynamic leading (batch) dimension of an argument takes the size --batch gives}}
func.func @dynamic(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = tosa.abs %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = tosa.abs %0 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// -----

// With a static signature, a dynamic type inside is the op's own.
func.func @dynamic_inside(%a: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error@+1 {{'tosa.abs' op has a type 'tensor<?x4xf32>' with a dynamic dimension}}
  %0 = tosa.abs %a : (tensor<2x4xf32>) -> tensor<?x4xf32>
  %s = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  // expected-error@+1 {{'tosa.reshape' op has a type 'tensor<?x4xf32>' with a dynamic dimension}}
  %1 = tosa.reshape %0, %s : (tensor<?x4xf32>, !tosa.shape<2>) -> tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}

// -----

// expected-error@+1 {{'func.func' op has a signature type 'tensor<*xf32>' that is unranked}}
func.func @unranked(%a: tensor<*xf32>) -> tensor<*xf32> {
  return %a : tensor<*xf32>
}

// -----

// expected-error@+1 {{'func.func' op has a signature type 'tensor<4xui8>' with a signed or unsigned integer element type; TOSA 1.0 uses signless integers}}
func.func @unsigned(%a: tensor<4xui8>) -> tensor<4xui8> {
  return %a : tensor<4xui8>
}

// -----

// expected-error@+1 {{'func.func' op has a signature type 'f32' that is not a tensor}}
func.func @scalar(%a: f32) -> f32 {
  return %a : f32
}

// -----

// expected-error@+1 {{'func.func' op is a declaration without a body}}
func.func private @declared(tensor<4xf32>) -> tensor<4xf32>

// -----

module {
  // expected-error@+1 {{'memref.global' op is not allowed at module level}}
  memref.global "private" @g : memref<4xf32>
  func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
    return %a : tensor<4xf32>
  }
}

// -----

// expected-error@+1 {{the input has no func.func to compile}}
module {
}
