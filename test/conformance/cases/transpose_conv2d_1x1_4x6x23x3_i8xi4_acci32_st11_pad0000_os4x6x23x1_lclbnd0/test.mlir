module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<4x6x23x3xi8> {tosa.tensor_name = "input-0"}) -> (tensor<4x6x23x1xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[[-5, 6, -6]]]]> : tensor<1x1x1x3xi4>}> : () -> tensor<1x1x1x3xi4>
    %1 = "tosa.const"() <{values = dense<-2080912893> : tensor<1xi32>}> : () -> tensor<1xi32>
    %2 = "tosa.const"() <{values = dense<-68> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
    %4 = tosa.transpose_conv2d %arg0, %0, %1, %2, %3 {acc_type = i32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<4x6x23x3xi8>, tensor<1x1x1x3xi4>, tensor<1xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<4x6x23x1xi32>
    return %4 : tensor<4x6x23x1xi32>
  }
}

