// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-orient-matmuls))' | FileCheck %s

// A constant left-hand side: A·B = (Bᵀ·Aᵀ)ᵀ, the zero points exchanged.
// CHECK-LABEL: func.func @const_lhs
// CHECK: %[[AZ:.*]] = "tosa.const"() <{values = dense<-3>
// CHECK: %[[BZ:.*]] = "tosa.const"() <{values = dense<7>
// CHECK: %[[BT:.*]] = tosa.transpose %arg0 {perms = array<i32: 0, 2, 1>} : (tensor<1x3x8xi8>) -> tensor<1x8x3xi8>
// CHECK: %[[AT:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}1, 4], [2, 5], [3, 6]]]> : tensor<1x3x2xi8>}>
// CHECK: %[[P:.*]] = tosa.matmul %[[BT]], %[[AT]], %[[BZ]], %[[AZ]] {cim.layer = "matmul_0"}
// CHECK: %[[R:.*]] = tosa.transpose %[[P]] {perms = array<i32: 0, 2, 1>} : (tensor<1x8x2xi32>) -> tensor<1x2x8xi32>
// CHECK: return %[[R]]
func.func @const_lhs(%x: tensor<1x3x8xi8>) -> tensor<1x2x8xi32> {
  %c = "tosa.const"() <{values = dense<[[[1, 2, 3], [4, 5, 6]]]> : tensor<1x2x3xi8>}> : () -> tensor<1x2x3xi8>
  %az = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bz = "tosa.const"() <{values = dense<7> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.matmul %c, %x, %az, %bz : (tensor<1x2x3xi8>, tensor<1x3x8xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x8xi32>
  return %0 : tensor<1x2x8xi32>
}

// -----

// A batch of two with constant weights: one batch-1 layer per batch.
// CHECK-LABEL: func.func @batched
// CHECK: %[[X0:.*]] = tosa.slice %arg0
// CHECK: %[[W0:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}1, 2], [3, 4], [5, 6]]]>
// CHECK: %[[P0:.*]] = tosa.matmul %[[X0]], %[[W0]], {{.*}} {cim.layer = "matmul_0_batch0"}
// CHECK: %[[X1:.*]] = tosa.slice %arg0
// CHECK: %[[W1:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}-1, -2], [-3, -4], [-5, -6]]]>
// CHECK: %[[P1:.*]] = tosa.matmul %[[X1]], %[[W1]], {{.*}} {cim.layer = "matmul_0_batch1"}
// CHECK: tosa.concat %[[P0]], %[[P1]] {axis = 0 : i32} : (tensor<1x4x2xi32>, tensor<1x4x2xi32>) -> tensor<2x4x2xi32>
func.func @batched(%x: tensor<2x4x3xi8>) -> tensor<2x4x2xi32> {
  %w = "tosa.const"() <{values = dense<[[[1, 2], [3, 4], [5, 6]], [[-1, -2], [-3, -4], [-5, -6]]]> : tensor<2x3x2xi8>}> : () -> tensor<2x3x2xi8>
  %z = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.matmul %x, %w, %z, %z : (tensor<2x4x3xi8>, tensor<2x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x4x2xi32>
  return %0 : tensor<2x4x2xi32>
}

// -----

// Two computed operands: left alone.
// CHECK-LABEL: func.func @computed
// CHECK-NEXT: "tosa.const"
// CHECK-NEXT: tosa.matmul %arg0, %arg1
func.func @computed(%x: tensor<1x4x3xi8>, %y: tensor<1x3x2xi8>) -> tensor<1x4x2xi32> {
  %z = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.matmul %x, %y, %z, %z : (tensor<1x4x3xi8>, tensor<1x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x2xi32>
  return %0 : tensor<1x4x2xi32>
}
