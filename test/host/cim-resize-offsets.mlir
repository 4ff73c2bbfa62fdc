// RUN: %cimc %s --pass-pipeline='builtin.module(func.func(cim-resize-offsets))' | FileCheck %s

// A negative column offset: the first column is put in front and the
// offset grows by x_n; scale, border and result stay.
// CHECK-LABEL: func.func @main
// CHECK: %[[FIRST:.*]] = tosa.slice %arg0, {{.*}} -> tensor<1x4x1x3xi16>
// CHECK: %[[WIDE:.*]] = tosa.concat %[[FIRST]], %arg0 {axis = 2 : i32} : (tensor<1x4x1x3xi16>, tensor<1x4x9x3xi16>) -> tensor<1x4x10x3xi16>
// CHECK: %[[OFF:.*]] = tosa.const_shape {values = dense<0> : tensor<2xindex>}
// CHECK: tosa.resize %[[WIDE]], %{{.*}}, %[[OFF]], %{{.*}} {mode = BILINEAR} : (tensor<1x4x10x3xi16>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x2x577x3xi48>
func.func @main(%x: tensor<1x4x9x3xi16>) -> tensor<1x2x577x3xi48> {
  %scale = tosa.const_shape {values = dense<[1, 3, 1920, 30]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %offset = tosa.const_shape {values = dense<[0, -1920]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %border = tosa.const_shape {values = dense<0> : tensor<2xindex>} : () -> !tosa.shape<2>
  %0 = tosa.resize %x, %scale, %offset, %border {mode = BILINEAR} : (tensor<1x4x9x3xi16>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x2x577x3xi48>
  return %0 : tensor<1x2x577x3xi48>
}
