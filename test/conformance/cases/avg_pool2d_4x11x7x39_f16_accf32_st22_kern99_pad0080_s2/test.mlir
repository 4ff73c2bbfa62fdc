module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<4x11x7x39xf16> {tosa.tensor_name = "input-0"}) -> (tensor<4x2x4x39xf16> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %1 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %2 = tosa.avg_pool2d %arg0, %0, %1 {acc_type = f32, kernel = array<i64: 9, 9>, pad = array<i64: 0, 0, 8, 0>, stride = array<i64: 2, 2>} : (tensor<4x11x7x39xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<4x2x4x39xf16>
    return %2 : tensor<4x2x4x39xf16>
  }
}

