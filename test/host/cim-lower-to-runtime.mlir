// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-lower-to-runtime)' 2>/dev/null | FileCheck %s
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(cim-lower-to-runtime)' --verify-diagnostics > /dev/null

// Two row tiles of one layer: the tiles become program tables that
// @cimc_init loads, and the layer (slices, mvms, accumulate) one runtime
// call whose token the host ops after it depend on; the public function is
// exported as @net_<name>, which starts a sample under its schedule (none
// recorded: layer-sequential, 0); tosa.abs runs on a vector unit as an
// activation (class 1) of 8 four-byte elements.
// CHECK-LABEL: func.func @net_two_tiles(
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK: %[[SIM:.*]] = llvm.load
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: %[[SEQ:.*]] = arith.constant 0 : i32
// CHECK: call @cimc_host_begin(%[[SIM]], %[[SEQ]]) : (!llvm.ptr, i32) -> i64
// CHECK-NOT: cim.program
// CHECK-NOT: tosa.slice
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<4x2xi32>
// CHECK: %[[LAYER:.*]] = arith.constant 0 : i32
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<4x4xi8> to memref<4x4xi8, strided<[?, ?], offset: ?>>
// CHECK: %[[DEPS:.*]] = memref.alloca() : memref<1xi64>
// CHECK: memref.store %[[ZERO]], %[[DEPS]][%{{.*}}] : memref<1xi64>
// CHECK: %[[T:.*]] = call @cimc_host_layer(%[[SIM]], %[[LAYER]], %{{.*}}, %{{.*}}, %{{.*}})
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict
// CHECK-NOT: cim.
// CHECK: tosa.abs %[[R]]
// CHECK: %[[CLASS:.*]] = arith.constant 1 : i32
// CHECK: %[[N:.*]] = arith.constant 8 : i64
// CHECK: %[[W:.*]] = arith.constant 4 : i32
// CHECK: memref.store %[[T]], %{{.*}}[%{{.*}}] : memref<1xi64>
// CHECK: call @cimc_host_op(%[[SIM]], %[[CLASS]], %[[N]], %[[W]], 
// CHECK: return
// CHECK: llvm.mlir.global private @cimc_sim()
// CHECK: func.func private @cimc_host_load(!llvm.ptr, !llvm.ptr, i64) -> i32 attributes {llvm.emit_c_interface, passthrough = ["noinline"]}
// CHECK: func.func private @cimc_host_layer(
// CHECK: func.func private @cimc_host_mvm(
// CHECK: func.func private @cimc_host_op(
// CHECK-LABEL: func.func @cimc_init(%{{.*}}: !llvm.ptr) -> i32 attributes {llvm.emit_c_interface, passthrough = ["noinline"]}
// CHECK: llvm.store %{{.*}}, %{{.*}} : !llvm.ptr, !llvm.ptr
// CHECK: %[[TABLES:.*]] = llvm.mlir.addressof @cimc_tables : !llvm.ptr
// CHECK: %[[LEN:.*]] = arith.constant 199 : i64
// CHECK: %[[S:.*]] = call @cimc_host_load(%{{.*}}, %[[TABLES]], %[[LEN]])
// CHECK: return %[[S]] : i32
// CHECK: llvm.mlir.global private constant @cimc_str_0("tosa.abs")
// The tables start with the magic "CIMCTABL", version 4, 2 tiles, 1 layer.
// CHECK: llvm.mlir.global internal constant @cimc_tables(dense<"0x43494D435441424C050000000200000001000000{{[0-9A-F]+}}000000000000000000000000"> : tensor<199xi8>) {addr_space = 0 : i32} : !llvm.array<199 x i8>
func.func @two_tiles(%x: tensor<4x4xi8>) -> tensor<4x2xi32> {
  %l0 = "tosa.const"() <{values = dense<1> : tensor<3x2xi8>}> : () -> tensor<3x2xi8>
  %t0 = "cim.program"(%l0) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "fc", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64, cim.phase = 0 : i64, cim.row_offset = 0 : i64, cim.col_offset = 0 : i64, cim.used_cells = 6 : i64, cim.flipped = array<i1: false, true>} : (tensor<3x2xi8>) -> !cim.tile
  %l1 = "tosa.const"() <{values = dense<2> : tensor<1x2xi8>}> : () -> tensor<1x2xi8>
  %t1 = "cim.program"(%l1) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "fc", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 1 : i64, cim.phase = 0 : i64, cim.row_offset = 3 : i64, cim.col_offset = 0 : i64, cim.used_cells = 2 : i64} : (tensor<1x2xi8>) -> !cim.tile
  %s0 = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %z0 = tosa.const_shape {values = dense<[4, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %x0 = tosa.slice %x, %s0, %z0 : (tensor<4x4xi8>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<4x3xi8>
  %p0 = "cim.mvm"(%t0, %x0) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "fc", cim.stage = 0 : i64, cim.steps = 32 : i64} : (!cim.tile, tensor<4x3xi8>) -> tensor<4x2xi32>
  %s1 = tosa.const_shape {values = dense<[0, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %z1 = tosa.const_shape {values = dense<[4, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %x1 = tosa.slice %x, %s1, %z1 : (tensor<4x4xi8>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<4x1xi8>
  %p1 = "cim.mvm"(%t1, %x1) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "fc", cim.stage = 0 : i64, cim.steps = 32 : i64} : (!cim.tile, tensor<4x1xi8>) -> tensor<4x2xi32>
  %sum = "cim.accumulate"(%p0, %p1) : (tensor<4x2xi32>, tensor<4x2xi32>) -> tensor<4x2xi32>
  %abs = tosa.abs %sum : (tensor<4x2xi32>) -> tensor<4x2xi32>
  return %abs : tensor<4x2xi32>
}

// -----

// Column tiles land side by side, and the shift-add of their bit slices
// joins the layer call: one call, no host code for either.
// CHECK-LABEL: func.func @net_columns(
// CHECK-NOT: tosa.concat
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x2xi32>
// CHECK: call @cimc_host_layer(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, i32, memref<?x?xi8, strided<[?, ?], offset: ?>>, memref<?x?xi32>, memref<?xi64, strided<[?], offset: ?>>) -> i64
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict : memref<2x2xi32> to tensor<2x2xi32>
// CHECK-NOT: cim.
// CHECK: return %[[R]]
func.func @columns(%x: tensor<2x3xi8>) -> tensor<2x2xi32> {
  %la = "tosa.const"() <{values = dense<3> : tensor<3x2xi8>}> : () -> tensor<3x2xi8>
  %ta = "cim.program"(%la) {cell_bits = 2 : i64, weight_bits = 4 : i64, layer = "fc", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64, cim.phase = 0 : i64, cim.row_offset = 0 : i64, cim.col_offset = 0 : i64, cim.used_cells = 6 : i64} : (tensor<3x2xi8>) -> !cim.tile
  %lb = "tosa.const"() <{values = dense<1> : tensor<3x2xi8>}> : () -> tensor<3x2xi8>
  %tb = "cim.program"(%lb) {cell_bits = 2 : i64, weight_bits = 4 : i64, layer = "fc", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 1 : i64, cim.phase = 0 : i64, cim.row_offset = 0 : i64, cim.col_offset = 2 : i64, cim.used_cells = 6 : i64} : (tensor<3x2xi8>) -> !cim.tile
  %pa = "cim.mvm"(%ta, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "fc", cim.stage = 0 : i64, cim.steps = 16 : i64} : (!cim.tile, tensor<2x3xi8>) -> tensor<2x2xi32>
  %pb = "cim.mvm"(%tb, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "fc", cim.stage = 0 : i64, cim.steps = 16 : i64} : (!cim.tile, tensor<2x3xi8>) -> tensor<2x2xi32>
  %p = tosa.concat %pa, %pb {axis = 1 : i32} : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x4xi32>
  %s = "cim.shift_add"(%p) {slices = 2 : i64, cell_bits = 2 : i64, differential = false, offset = 0 : i64} : (tensor<2x4xi32>) -> tensor<2x2xi32>
  return %s : tensor<2x2xi32>
}

// -----

// The constant added after the shift-add (cim-lower-crossbar-ops' bias and
// input zero point correction) joins the layer: its row is the layer's bias
// in the tables (no weight zero point or groups, then count 2, 7 and -1: the
// blob's last bytes), the call's
// result is the sum's, and no host op is left.
// CHECK-LABEL: func.func @net_bias(
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x2xi32>
// CHECK: call @cimc_host_layer(
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict : memref<2x2xi32> to tensor<2x2xi32>
// CHECK-NOT: tosa.add
// CHECK-NOT: cimc_host_op(
// CHECK: return %[[R]]
// CHECK: @cimc_tables(dense<"0x{{[0-9A-F]+}}00000000000000000200000007000000FFFFFFFF">
func.func @bias(%x: tensor<2x3xi8>) -> tensor<2x2xi32> {
  %la = "tosa.const"() <{values = dense<3> : tensor<3x4xi8>}> : () -> tensor<3x4xi8>
  %ta = "cim.program"(%la) {cell_bits = 2 : i64, weight_bits = 4 : i64, layer = "fc", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64, cim.phase = 0 : i64, cim.row_offset = 0 : i64, cim.col_offset = 0 : i64, cim.used_cells = 12 : i64} : (tensor<3x4xi8>) -> !cim.tile
  %pa = "cim.mvm"(%ta, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "fc", cim.stage = 0 : i64, cim.steps = 16 : i64} : (!cim.tile, tensor<2x3xi8>) -> tensor<2x4xi32>
  %s = "cim.shift_add"(%pa) {slices = 2 : i64, cell_bits = 2 : i64, differential = false, offset = 0 : i64} : (tensor<2x4xi32>) -> tensor<2x2xi32>
  %c = "tosa.const"() <{values = dense<[[7, -1]]> : tensor<1x2xi32>}> : () -> tensor<1x2xi32>
  %y = tosa.add %c, %s : (tensor<1x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi32>
  return %y : tensor<2x2xi32>
}

// -----

// An add of a computed value is not a bias: it stays a host op after the
// layer call.
// CHECK-LABEL: func.func @net_computed_bias(
// CHECK: call @cimc_host_layer(
// CHECK: tosa.add
// CHECK: call @cimc_host_op(
func.func @computed_bias(%x: tensor<2x3xi8>, %b: tensor<1x4xi32>) -> tensor<2x4xi32> {
  %la = "tosa.const"() <{values = dense<3> : tensor<3x4xi8>}> : () -> tensor<3x4xi8>
  %ta = "cim.program"(%la) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "fc", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64, cim.phase = 0 : i64, cim.row_offset = 0 : i64, cim.col_offset = 0 : i64, cim.used_cells = 12 : i64} : (tensor<3x4xi8>) -> !cim.tile
  %pa = "cim.mvm"(%ta, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "fc", cim.stage = 0 : i64, cim.steps = 16 : i64} : (!cim.tile, tensor<2x3xi8>) -> tensor<2x4xi32>
  %y = tosa.add %pa, %b : (tensor<2x4xi32>, tensor<1x4xi32>) -> tensor<2x4xi32>
  return %y : tensor<2x4xi32>
}

// -----

// Row tiles read with different ADCs are not one layer: each mvm is issued
// on its own and the host adds their partial sums.
// CHECK-LABEL: func.func @net_mixed(
// CHECK-NOT: cimc_host_layer
// CHECK: %[[M0:.*]] = call @cimc_host_mvm(
// CHECK: %[[M1:.*]] = call @cimc_host_mvm(
// CHECK: "cim.accumulate"
// CHECK: memref.store %[[M0]]
// CHECK: memref.store %[[M1]]
// CHECK: call @cimc_host_op(
// CHECK: return
func.func @mixed(%x: tensor<2x3xi8>) -> tensor<2x2xi32> {
  %l = "tosa.const"() <{values = dense<3> : tensor<3x2xi8>}> : () -> tensor<3x2xi8>
  %t0 = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "fc", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64, cim.phase = 0 : i64, cim.row_offset = 0 : i64, cim.col_offset = 0 : i64, cim.used_cells = 6 : i64} : (tensor<3x2xi8>) -> !cim.tile
  %t1 = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "fc", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 1 : i64, cim.phase = 0 : i64, cim.row_offset = 0 : i64, cim.col_offset = 0 : i64, cim.used_cells = 6 : i64} : (tensor<3x2xi8>) -> !cim.tile
  %p0 = "cim.mvm"(%t0, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "fc", cim.stage = 0 : i64, cim.steps = 16 : i64} : (!cim.tile, tensor<2x3xi8>) -> tensor<2x2xi32>
  %p1 = "cim.mvm"(%t1, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 6 : i64, max_active_rows = 128 : i64, layer = "fc", cim.stage = 0 : i64, cim.steps = 16 : i64} : (!cim.tile, tensor<2x3xi8>) -> tensor<2x2xi32>
  %sum = "cim.accumulate"(%p0, %p1) : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi32>
  return %sum : tensor<2x2xi32>
}

// -----

// The window gather is a runtime call too, with its geometry as values
// (kernel, stride, dilation, pad, pad value, channel-major), accounted by
// the runtime: no host-op call for it.
// CHECK-LABEL: func.func @net_windows(
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<4x4xi8>
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<1x3x3x1xi8> to memref<1x3x3x1xi8, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: %[[T:.*]] = call @cimc_host_im2col(%{{.*}}, %{{.*}}, %{{.*}}, %c2_i32{{.*}}, %c2_i32{{.*}}, %c1_i32{{.*}}, %c1_i32{{.*}}, %c1_i32{{.*}}, %c1_i32{{.*}}, %c0_i32{{.*}}, %c0_i32{{.*}}, %c0_i32{{.*}}, %c0_i32{{.*}}, %c-128_i32{{.*}}, %c0_i32{{.*}}, %{{.*}})
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict : memref<4x4xi8> to tensor<4x4xi8>
// CHECK-NOT: cimc_host_op
// CHECK: return %[[R]]
func.func @windows(%x: tensor<1x3x3x1xi8>) -> tensor<4x4xi8> {
  %c = "cim.im2col"(%x) {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, pad_value = -128 : i64, channel_major = false} : (tensor<1x3x3x1xi8>) -> tensor<4x4xi8>
  return %c : tensor<4x4xi8>
}

// -----

// An mvm whose tile was never placed cannot be issued.
func.func @unplaced(%x: tensor<1x2xi8>) -> tensor<1x2xi32> {
  %l = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  // expected-error@+1 {{'cim.core' is missing: run cim-tile, cim-place and cim-schedule before cim-lower-to-runtime}}
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "a"} : (tensor<2x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "a"} : (!cim.tile, tensor<1x2xi8>) -> tensor<1x2xi32>
  return %p : tensor<1x2xi32>
}

// -----

// Levels outside the cells' range cannot be programmed (the tables pack
// them at cell_bits bits).
func.func @bad_level(%x: tensor<1x2xi8>) -> tensor<1x2xi32> {
  %l = "tosa.const"() <{values = dense<[[5, 0], [1, 2]]> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  // expected-error@+1 {{level 5 does not fit 2 cell bits}}
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "a", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64, cim.phase = 0 : i64, cim.row_offset = 0 : i64, cim.col_offset = 0 : i64, cim.used_cells = 4 : i64} : (tensor<2x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "a", cim.stage = 0 : i64, cim.steps = 8 : i64} : (!cim.tile, tensor<1x2xi8>) -> tensor<1x2xi32>
  return %p : tensor<1x2xi32>
}

// -----

func.func @negative_level(%x: tensor<1x2xi8>) -> tensor<1x2xi32> {
  %l = "tosa.const"() <{values = dense<[[1, -1], [1, 2]]> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  // expected-error@+1 {{level -1 does not fit 2 cell bits}}
  %t = "cim.program"(%l) {cell_bits = 2 : i64, weight_bits = 2 : i64, layer = "a", cim.core = 0 : i64, cim.macro = 0 : i64, cim.array = 0 : i64, cim.phase = 0 : i64, cim.row_offset = 0 : i64, cim.col_offset = 0 : i64, cim.used_cells = 4 : i64} : (tensor<2x2xi8>) -> !cim.tile
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "a", cim.stage = 0 : i64, cim.steps = 8 : i64} : (!cim.tile, tensor<1x2xi8>) -> tensor<1x2xi32>
  return %p : tensor<1x2xi32>
}

// -----

// A crossbar matmul must be bit-sliced, tiled and placed first.
func.func @untiled(%x: tensor<1x2xi8>) -> tensor<1x2xi32> {
  %w = "tosa.const"() <{values = dense<1> : tensor<2x2xi8>}> : () -> tensor<2x2xi8>
  // expected-error@+1 {{a cim.matmul must be bit-sliced, tiled and placed (cim-bit-slice, cim-tile, cim-place) before cim-lower-to-runtime}}
  %p = "cim.matmul"(%x, %w) {input_bits = 8 : i64, weight_bits = 8 : i64, cell_bits = 0 : i64, blocks = 1 : i64, layer = "a"} : (tensor<1x2xi8>, tensor<2x2xi8>) -> tensor<1x2xi32>
  return %p : tensor<1x2xi32>
}

// -----

// The runtime's symbols are reserved.
// expected-error@+1 {{the symbol '@cimc_init' is reserved for the runtime calls cim-lower-to-runtime adds}}
func.func @cimc_init(%x: tensor<1xi8>) -> tensor<1xi8> {
  return %x : tensor<1xi8>
}
