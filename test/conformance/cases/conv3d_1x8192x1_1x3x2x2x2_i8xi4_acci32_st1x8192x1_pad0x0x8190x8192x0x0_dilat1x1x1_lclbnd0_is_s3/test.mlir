module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<1x3x2x2x4xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<0> : tensor<1x3x2x2x2xi8>}> : () -> tensor<1x3x2x2x2xi8>
    %1 = "tosa.const"() <{values = dense<7> : tensor<4x1x8192x1x2xi4>}> : () -> tensor<4x1x8192x1x2xi4>
    %2 = "tosa.const"() <{values = dense<0> : tensor<4xi32>}> : () -> tensor<4xi32>
    %3 = "tosa.const"() <{values = dense<-58> : tensor<1xi8>}> : () -> tensor<1xi8>
    %4 = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
    %5 = tosa.conv3d %0, %1, %2, %3, %4 {acc_type = i32, dilation = array<i64: 1, 1, 1>, pad = array<i64: 0, 0, 8190, 8192, 0, 0>, stride = array<i64: 1, 8192, 1>} : (tensor<1x3x2x2x2xi8>, tensor<4x1x8192x1x2xi4>, tensor<4xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x3x2x2x4xi32>
    return %5 : tensor<1x3x2x2x4xi32>
  }
}

