module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<53xf16> {tosa.tensor_name = "input-0"}, %arg1: tensor<26xf16> {tosa.tensor_name = "input-1"}) -> (tensor<106xf16> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[-0.000000e+00, 1.000000e+00, -1.000000e+00, 0x7E01, 0.000000e+00, -0.000000e+00, 0x7C00, 0xFC00, 6.103520e-05, -6.103520e-05, 6.550400e+04, -6.550400e+04, 0.000000e+00, -0.000000e+00, 1.000000e+00, -1.000000e+00, 0x7E01, 0.000000e+00, -0.000000e+00, 0x7C00, 0xFC00, 6.103520e-05, -6.103520e-05, 6.550400e+04, -6.550400e+04, 0.000000e+00, -0.000000e+00]> : tensor<27xf16>}> : () -> tensor<27xf16>
    %1 = tosa.concat %arg0, %arg1, %0 {axis = 0 : i32} : (tensor<53xf16>, tensor<26xf16>, tensor<27xf16>) -> tensor<106xf16>
    return %1 : tensor<106xf16>
  }
}

