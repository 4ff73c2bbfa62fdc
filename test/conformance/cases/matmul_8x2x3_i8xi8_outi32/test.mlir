module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<8x3x8xi8> {tosa.tensor_name = "input-0"}) -> (tensor<8x2x8xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[-10, 119, 27], [-88, 94, 80]], [[101, -14, -3], [-58, -40, -36]], [[-10, -107, 36], [49, 57, -37]], [[-1, -126, -49], [-33, 88, 50]], [[-4, -25, -9], [-11, 30, -89]], [[-9, 22, 45], [94, 53, -124]], [[90, -121, -31], [-104, -78, -8]], [[1, -40, -29], [104, -4, 86]]]> : tensor<8x2x3xi8>}> : () -> tensor<8x2x3xi8>
    %1 = "tosa.const"() <{values = dense<-32> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = "tosa.const"() <{values = dense<97> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = tosa.matmul %0, %arg0, %1, %2 : (tensor<8x2x3xi8>, tensor<8x3x8xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<8x2x8xi32>
    return %3 : tensor<8x2x8xi32>
  }
}

