// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-graph))' | FileCheck %s

// Two transposes that undo each other vanish (transpose-transpose gives
// the identity); the reshape pair becomes one reshape (reshape-reshape).
// CHECK-LABEL: func.func @cancel
// CHECK-NOT: tosa.transpose
// CHECK: %[[R:.*]] = tosa.reshape %arg0
// CHECK-SAME: -> tensor<1x64xi8>
// CHECK-NOT: tosa.reshape
// CHECK: return %arg0, %[[R]]
func.func @cancel(%x: tensor<1x8x8x1xi8>) -> (tensor<1x8x8x1xi8>, tensor<1x64xi8>) {
  %t = tosa.transpose %x {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x8x8x1xi8>) -> tensor<1x1x8x8xi8>
  %u = tosa.transpose %t {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x8x8xi8>) -> tensor<1x8x8x1xi8>
  %s1 = tosa.const_shape {values = dense<[8, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r1 = tosa.reshape %x, %s1 : (tensor<1x8x8x1xi8>, !tosa.shape<2>) -> tensor<8x8xi8>
  %s2 = tosa.const_shape {values = dense<[1, 64]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r2 = tosa.reshape %r1, %s2 : (tensor<8x8xi8>, !tosa.shape<2>) -> tensor<1x64xi8>
  return %u, %r2 : tensor<1x8x8x1xi8>, tensor<1x64xi8>
}

// -----

// Two transposes that do not cancel compose into one.
// CHECK-LABEL: func.func @compose
// CHECK: %[[T:.*]] = tosa.transpose %arg0 {perms = array<i32: 2, 0, 1>}
// CHECK-NOT: tosa.transpose
// CHECK: return %[[T]]
func.func @compose(%x: tensor<2x3x4xi8>) -> tensor<4x2x3xi8> {
  %t = tosa.transpose %x {perms = array<i32: 1, 2, 0>} : (tensor<2x3x4xi8>) -> tensor<3x4x2xi8>
  %u = tosa.transpose %t {perms = array<i32: 1, 2, 0>} : (tensor<3x4x2xi8>) -> tensor<4x2x3xi8>
  return %u : tensor<4x2x3xi8>
}

// -----

// A transpose by the identity and a reshape to the same shape are their
// inputs (transpose-identity, reshape-identity).
// CHECK-LABEL: func.func @identities
// CHECK-SAME: fired = {"reshape-identity" = 1 : i64, "transpose-identity" = 1 : i64}
// CHECK-NOT: tosa.transpose
// CHECK-NOT: tosa.reshape
// CHECK: return %arg0, %arg0
func.func @identities(%x: tensor<2x3xi8>) -> (tensor<2x3xi8>, tensor<2x3xi8>) {
  %t = tosa.transpose %x {perms = array<i32: 0, 1>} : (tensor<2x3xi8>) -> tensor<2x3xi8>
  %s = tosa.const_shape {values = dense<[2, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %x, %s : (tensor<2x3xi8>, !tosa.shape<2>) -> tensor<2x3xi8>
  return %t, %r : tensor<2x3xi8>, tensor<2x3xi8>
}
