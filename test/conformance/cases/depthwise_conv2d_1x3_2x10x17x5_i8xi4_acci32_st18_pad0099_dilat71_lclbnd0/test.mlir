module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<2x10x17x5xi8> {tosa.tensor_name = "input-0"}) -> (tensor<2x10x5x10xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[[2, 6], [-6, -1], [3, -2], [-2, -6], [-2, 6]], [[-4, -4], [6, -4], [7, 4], [-3, 4], [-4, -7]], [[5, -1], [3, -3], [5, 3], [-4, -2], [0, 2]]]]> : tensor<1x3x5x2xi4>}> : () -> tensor<1x3x5x2xi4>
    %1 = "tosa.const"() <{values = dense<-1848563134> : tensor<1xi32>}> : () -> tensor<1xi32>
    %2 = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
    %4 = tosa.depthwise_conv2d %arg0, %0, %1, %2, %3 {acc_type = i32, dilation = array<i64: 7, 1>, pad = array<i64: 0, 0, 9, 9>, stride = array<i64: 1, 8>} : (tensor<2x10x17x5xi8>, tensor<1x3x5x2xi4>, tensor<1xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<2x10x5x10xi32>
    return %4 : tensor<2x10x5x10xi32>
  }
}

