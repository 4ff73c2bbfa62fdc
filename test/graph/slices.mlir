// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-graph))' | FileCheck %s

// Slices that tile their source back are the source (concat-of-slices); a
// slice of everything is its input (slice-full).
// CHECK-LABEL: func.func @tile_back
// CHECK-SAME: fired = {"concat-of-slices" = 1 : i64, "slice-full" = 1 : i64}
// CHECK-NOT: tosa.slice
// CHECK-NOT: tosa.concat
// CHECK: return %arg0, %arg0
func.func @tile_back(%x: tensor<2x6xi8>) -> (tensor<2x6xi8>, tensor<2x6xi8>) {
  %s0 = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %n0 = tosa.const_shape {values = dense<[2, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %s1 = tosa.const_shape {values = dense<[0, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %n1 = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %nall = tosa.const_shape {values = dense<[2, 6]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %a = tosa.slice %x, %s0, %n0 : (tensor<2x6xi8>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x2xi8>
  %b = tosa.slice %x, %s1, %n1 : (tensor<2x6xi8>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xi8>
  %c = tosa.concat %a, %b {axis = 1 : i32} : (tensor<2x2xi8>, tensor<2x4xi8>) -> tensor<2x6xi8>
  %d = tosa.slice %x, %s0, %nall : (tensor<2x6xi8>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x6xi8>
  return %c, %d : tensor<2x6xi8>, tensor<2x6xi8>
}

// -----

// Slices in the wrong order do not tile.
// CHECK-LABEL: func.func @swapped
// CHECK: tosa.concat
func.func @swapped(%x: tensor<2x6xi8>) -> tensor<2x6xi8> {
  %s0 = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %n0 = tosa.const_shape {values = dense<[2, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %s1 = tosa.const_shape {values = dense<[0, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %n1 = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %a = tosa.slice %x, %s0, %n0 : (tensor<2x6xi8>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x2xi8>
  %b = tosa.slice %x, %s1, %n1 : (tensor<2x6xi8>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xi8>
  %c = tosa.concat %b, %a {axis = 1 : i32} : (tensor<2x4xi8>, tensor<2x2xi8>) -> tensor<2x6xi8>
  return %c : tensor<2x6xi8>
}
