module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x9x21x14x1xi8> {tosa.tensor_name = "input-0"}) -> (tensor<1x6x8x8x2xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[[[82]], [[60]]]], [[[[21]], [[-10]]]]]> : tensor<2x1x2x1x1xi8>}> : () -> tensor<2x1x2x1x1xi8>
    %1 = "tosa.const"() <{values = dense<-751230010> : tensor<1xi32>}> : () -> tensor<1xi32>
    %2 = "tosa.const"() <{values = dense<69> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = "tosa.const"() <{values = dense<69> : tensor<1xi8>}> : () -> tensor<1xi8>
    %4 = tosa.conv3d %arg0, %0, %1, %2, %3 {acc_type = i32, dilation = array<i64: 1, 7, 1>, pad = array<i64: 1, 1, 0, 1, 0, 1>, stride = array<i64: 2, 2, 2>} : (tensor<1x9x21x14x1xi8>, tensor<2x1x2x1x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x8x8x2xi32>
    return %4 : tensor<1x6x8x8x2xi32>
  }
}

