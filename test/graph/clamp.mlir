// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-graph))' | FileCheck %s

// A clamp of a clamp is one clamp of the overlap (clamp-clamp); a clamp
// over the whole i8 range is no clamp (clamp-full-range).
// CHECK-LABEL: func.func @fuse
// CHECK-SAME: fired = {"clamp-clamp" = 1 : i64, "clamp-full-range" = 1 : i64}
// CHECK: %[[C:.*]] = tosa.clamp %arg0 {max_val = 50 : i8, min_val = 0 : i8}
// CHECK-NOT: tosa.clamp
// CHECK: return %[[C]], %arg0
func.func @fuse(%x: tensor<1x16xi8>) -> (tensor<1x16xi8>, tensor<1x16xi8>) {
  %a = tosa.clamp %x {min_val = -20 : i8, max_val = 50 : i8} : (tensor<1x16xi8>) -> tensor<1x16xi8>
  %b = tosa.clamp %a {min_val = 0 : i8, max_val = 100 : i8} : (tensor<1x16xi8>) -> tensor<1x16xi8>
  %c = tosa.clamp %x {min_val = -128 : i8, max_val = 127 : i8} : (tensor<1x16xi8>) -> tensor<1x16xi8>
  return %b, %c : tensor<1x16xi8>, tensor<1x16xi8>
}

// -----

// Disjoint ranges are not fused (the result would be a constant).
// CHECK-LABEL: func.func @disjoint
// CHECK: tosa.clamp
// CHECK: tosa.clamp
func.func @disjoint(%x: tensor<1x16xi8>) -> tensor<1x16xi8> {
  %a = tosa.clamp %x {min_val = -20 : i8, max_val = -10 : i8} : (tensor<1x16xi8>) -> tensor<1x16xi8>
  %b = tosa.clamp %a {min_val = 0 : i8, max_val = 100 : i8} : (tensor<1x16xi8>) -> tensor<1x16xi8>
  return %b : tensor<1x16xi8>
}
