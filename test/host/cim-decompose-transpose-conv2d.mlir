// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-decompose-transpose-conv2d))' | FileCheck %s

// Stride 1: the kernel is flipped and the input padded by kernel - 1.
// CHECK-LABEL: func.func @stride_one
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x2xi8>, %[[W:.*]]: tensor<3x3x3x2xi8>, %[[B:.*]]: tensor<3xi32>)
// CHECK-DAG: %[[XZ:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}>
// CHECK-DAG: %[[WZ:.*]] = "tosa.const"() <{values = dense<5> : tensor<1xi8>}>
// CHECK: %[[R1:.*]] = tosa.reverse %[[W]] {axis = 1 : i32}
// CHECK: %[[R2:.*]] = tosa.reverse %[[R1]] {axis = 2 : i32}
// CHECK: %[[C:.*]] = tosa.conv2d %[[X]], %[[R2]], %[[B]], %[[XZ]], %[[WZ]] {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 2, 2, 2, 2>, stride = array<i64: 1, 1>} : {{.*}} -> tensor<1x6x6x3xi32>
// CHECK-NOT: tosa.transpose_conv2d
// CHECK: return %[[C]]
func.func @stride_one(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>) -> tensor<1x6x6x3xi32> {
  %xz = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wz = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.transpose_conv2d %x, %w, %b, %xz, %wz {acc_type = i32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x6x3xi32>
  return %0 : tensor<1x6x6x3xi32>
}

// -----

// Strides 2x3 dilate the input with zero-point values (reshape, pad with the
// input zero point, reshape, slice); out_pad shifts the conv2d's pad, down
// to 0 for out_pad = 1 - kernel. Output: (3-1)*2 - 1 + 0 + 2 = 5 rows,
// (2-1)*3 - 1 - 1 + 2 = 3 columns.
// CHECK-LABEL: func.func @strided
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x2x1xi8>, %[[W:.*]]: tensor<4x2x2x1xi8>, %[[B:.*]]: tensor<1xi32>)
// CHECK: %[[XZ:.*]] = "tosa.const"() <{values = dense<7> : tensor<1xi8>}>
// CHECK: %[[S1:.*]] = tosa.const_shape {values = dense<[2, 3, 1, 2, 1, 1]> : tensor<6xindex>}
// CHECK: %[[SPLIT:.*]] = tosa.reshape %[[X]], %[[S1]] : {{.*}} -> tensor<2x3x1x2x1x1xi8>
// CHECK: %[[P:.*]] = tosa.const_shape {values = dense<[0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0]> : tensor<12xindex>}
// CHECK: %[[SPREAD:.*]] = tosa.pad %[[SPLIT]], %[[P]], %[[XZ]] : {{.*}} -> tensor<2x3x2x2x3x1xi8>
// CHECK: %[[S2:.*]] = tosa.const_shape {values = dense<[2, 6, 6, 1]> : tensor<4xindex>}
// CHECK: %[[MERGED:.*]] = tosa.reshape %[[SPREAD]], %[[S2]] : {{.*}} -> tensor<2x6x6x1xi8>
// CHECK: %[[BEGIN:.*]] = tosa.const_shape {values = dense<0> : tensor<4xindex>}
// CHECK: %[[SIZE:.*]] = tosa.const_shape {values = dense<[2, 5, 4, 1]> : tensor<4xindex>}
// CHECK: %[[D:.*]] = tosa.slice %[[MERGED]], %[[BEGIN]], %[[SIZE]] : {{.*}} -> tensor<2x5x4x1xi8>
// CHECK: %[[R1:.*]] = tosa.reverse %[[W]] {axis = 1 : i32}
// CHECK: %[[R2:.*]] = tosa.reverse %[[R1]] {axis = 2 : i32}
// CHECK: tosa.conv2d %[[D]], %[[R2]], %[[B]], %[[XZ]], %{{.*}} {acc_type = i32, dilation = array<i64: 1, 1>, local_bound = true, pad = array<i64: 0, 1, 0, 0>, stride = array<i64: 1, 1>} : {{.*}} -> tensor<2x5x3x4xi32>
// CHECK-NOT: tosa.transpose_conv2d
func.func @strided(%x: tensor<2x3x2x1xi8>, %w: tensor<4x2x2x1xi8>, %b: tensor<1xi32>) -> tensor<2x5x3x4xi32> {
  %xz = "tosa.const"() <{values = dense<7> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wz = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.transpose_conv2d %x, %w, %b, %xz, %wz {acc_type = i32, local_bound = true, out_pad = array<i64: -1, 0, -1, -1>, stride = array<i64: 2, 3>} : (tensor<2x3x2x1xi8>, tensor<4x2x2x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x5x3x4xi32>
  return %0 : tensor<2x5x3x4xi32>
}

// -----

// i16 x i8 -> i48 keeps its accumulator type.
// CHECK-LABEL: func.func @int16
// CHECK: tosa.conv2d {{.*}} {acc_type = i48, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 0, 0>, stride = array<i64: 1, 1>} : {{.*}} -> tensor<1x3x2x2xi48>
// CHECK-NOT: tosa.transpose_conv2d
func.func @int16(%x: tensor<1x2x2x2xi16>, %w: tensor<2x2x1x2xi8>, %b: tensor<2xi48>) -> tensor<1x3x2x2xi48> {
  %xz = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
  %wz = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.transpose_conv2d %x, %w, %b, %xz, %wz {acc_type = i48, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xi16>, tensor<2x2x1x2xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x3x2x2xi48>
  return %0 : tensor<1x3x2x2xi48>
}

// -----

// Other convolutions are left alone.
// CHECK-LABEL: func.func @not_transposed
// CHECK: tosa.conv2d {{.*}} pad = array<i64: 1, 1, 1, 1>
// CHECK-NOT: tosa.reverse
func.func @not_transposed(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>) -> tensor<1x4x4x3xi32> {
  %z = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x3xi32>
  return %0 : tensor<1x4x4x3xi32>
}
