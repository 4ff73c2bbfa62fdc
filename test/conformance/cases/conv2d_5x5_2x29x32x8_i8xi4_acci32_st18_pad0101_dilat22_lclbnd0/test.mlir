module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<2x29x32x8xi8> {tosa.tensor_name = "input-0"}, %arg1: tensor<14x5x5x8xi4> {tosa.tensor_name = "input-1"}) -> (tensor<2x22x4x14xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-2088193503> : tensor<1xi32>}> : () -> tensor<1xi32>
    %1 = "tosa.const"() <{values = dense<-125> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
    %3 = tosa.conv2d %arg0, %arg1, %0, %1, %2 {acc_type = i32, dilation = array<i64: 2, 2>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 8>} : (tensor<2x29x32x8xi8>, tensor<14x5x5x8xi4>, tensor<1xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<2x22x4x14xi32>
    return %3 : tensor<2x22x4x14xi32>
  }
}

