// RUN: %cimc %models/cnn.int8.mlir --emit=cim | %cimc - --pass-pipeline='builtin.module(cim-lower-to-runtime,cim-outline-host-layers)' | FileCheck %s
// RUN: %cimc %s --pass-pipeline='builtin.module(cim-outline-host-layers)' | FileCheck %s --check-prefix=ONE
// RUN: %cimc %models/cnn.int8.mlir --pass-pipeline='builtin.module(cim-outline-host-layers)' | FileCheck %s --check-prefix=REF

// The digits CNN's three crossbar layers: the network function becomes four
// calls in order, cut after each layer's result; the simulator handle,
// tokens and tensors flow between the pieces as values. The offsets come
// off in the layers (reference columns): no im2col matrix outlives its layer.
// CHECK-LABEL: func.func @net_main(
// CHECK-NEXT: %[[P0:.*]]:3 = call @net_main_part0(%arg0) : (tensor<1x8x8x1xi8>) -> (!llvm.ptr, i64, tensor<64x8xi32>)
// CHECK-NEXT: %[[P1:.*]]:2 = call @net_main_part1(
// CHECK-NEXT: %[[P2:.*]]:2 = call @net_main_part2(
// CHECK-NEXT: %[[P3:.*]] = call @net_main_part3(
// CHECK-NEXT: return %[[P3]] : tensor<1x10xi8>
// CHECK-LABEL: func.func private @net_main_part0(%arg0: tensor<1x8x8x1xi8>)
// CHECK-SAME: attributes {passthrough = ["noinline"]}
// CHECK: call @cimc_host_im2col
// CHECK: call @cimc_host_layer
// CHECK: bufferization.to_tensor
// CHECK-NEXT: return
// The next piece holds layer 0's corrections and rescale, with the
// constants it reads cloned into it, then layer 1.
// CHECK-LABEL: func.func private @net_main_part1(
// CHECK: "tosa.const"
// CHECK: tosa.rescale
// CHECK: call @cimc_host_layer
// CHECK-LABEL: func.func private @net_main_part3(
// CHECK: tosa.rescale
// CHECK: return

// Reference execution lowers TOSA on the host: the cuts follow its
// convolutions, and each piece's i32 result crosses to the next piece.
// REF-LABEL: func.func @main(
// REF-NEXT: %[[A:.*]] = call @main_part0(%arg0) : (tensor<1x8x8x1xi8>) -> tensor<1x8x8x8xi32>
// REF-NEXT: %[[B:.*]] = call @main_part1(%[[A]])
// REF-NEXT: %[[C:.*]] = call @main_part2(%[[B]])
// REF-NEXT: %[[D:.*]] = call @main_part3(%[[C]])
// REF-NEXT: return %[[D]]
// REF-LABEL: func.func private @main_part0(
// REF: tosa.conv2d
// REF-NEXT: return
// REF-LABEL: func.func private @main_part1(
// REF: tosa.rescale
// REF: tosa.conv2d

// A function with one layer or none is left alone.
// ONE-LABEL: func.func @single(
// ONE-NEXT: %[[A:.*]] = tosa.abs %arg0
// ONE-NEXT: return %[[A]]
// ONE-NOT: func.func
func.func @single(%x: tensor<2xi32>) -> tensor<2xi32> {
  %a = tosa.abs %x : (tensor<2xi32>) -> tensor<2xi32>
  return %a : tensor<2xi32>
}
