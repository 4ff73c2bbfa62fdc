module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<2x10x17x5xi8> {tosa.tensor_name = "input-0"}, %arg1: tensor<3x3x5x2xi4> {tosa.tensor_name = "input-1"}) -> (tensor<2x6x7x10xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[625499727, -1388631998, -597329175, 512057337, 1896047482, -1674725826, -1750356869, -87255723, 268371532, 256278098]> : tensor<10xi32>}> : () -> tensor<10xi32>
    %1 = "tosa.const"() <{values = dense<-105> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
    %3 = tosa.depthwise_conv2d %arg0, %arg1, %0, %1, %2 {acc_type = i32, dilation = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 2>} : (tensor<2x10x17x5xi8>, tensor<3x3x5x2xi4>, tensor<10xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<2x6x7x10xi32>
    return %3 : tensor<2x6x7x10xi32>
  }
}

