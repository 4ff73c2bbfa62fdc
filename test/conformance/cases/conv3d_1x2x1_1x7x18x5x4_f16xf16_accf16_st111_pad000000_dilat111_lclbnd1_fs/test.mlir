module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x7x18x5x4xf16> {tosa.tensor_name = "input-0"}) -> (tensor<1x7x17x5x1xf16> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[[[6.103520e-05, 6.103520e-05, -0.000000e+00, 0xFC00]], [[1.000000e+00, 6.103520e-05, 6.103520e-05, -0.000000e+00]]]]]> : tensor<1x1x2x1x4xf16>}> : () -> tensor<1x1x2x1x4xf16>
    %1 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %2 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %3 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %4 = tosa.conv3d %arg0, %0, %1, %2, %3 {acc_type = f16, dilation = array<i64: 1, 1, 1>, local_bound = true, pad = array<i64: 0, 0, 0, 0, 0, 0>, stride = array<i64: 1, 1, 1>} : (tensor<1x7x18x5x4xf16>, tensor<1x1x2x1x4xf16>, tensor<1xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<1x7x17x5x1xf16>
    return %4 : tensor<1x7x17x5x1xf16>
  }
}

