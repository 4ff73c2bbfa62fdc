module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x4x9x3xi16> {tosa.tensor_name = "input-0"}) -> (tensor<1x2x577x3xi48> {tosa.tensor_name = "result-0"}) {
    %0 = tosa.const_shape  {values = dense<[1, 3, 1920, 30]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %1 = tosa.const_shape  {values = dense<[0, -1920]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %2 = tosa.const_shape  {values = dense<0> : tensor<2xindex>} : () -> !tosa.shape<2>
    %3 = tosa.resize %arg0, %0, %1, %2 {mode = BILINEAR} : (tensor<1x4x9x3xi16>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x2x577x3xi48>
    return %3 : tensor<1x2x577x3xi48>
  }
}

