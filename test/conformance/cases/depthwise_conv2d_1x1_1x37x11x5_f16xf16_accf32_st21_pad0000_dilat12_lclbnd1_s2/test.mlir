module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<1x19x11x5xf16> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x37x11x5xf16>}> : () -> tensor<1x37x11x5xf16>
    %1 = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x1x5x1xf16>}> : () -> tensor<1x1x5x1xf16>
    %2 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<5xf16>}> : () -> tensor<5xf16>
    %3 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %4 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %5 = tosa.depthwise_conv2d %0, %1, %2, %3, %4 {acc_type = f32, dilation = array<i64: 1, 2>, local_bound = true, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 1>} : (tensor<1x37x11x5xf16>, tensor<1x1x5x1xf16>, tensor<5xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<1x19x11x5xf16>
    return %5 : tensor<1x19x11x5xf16>
  }
}

