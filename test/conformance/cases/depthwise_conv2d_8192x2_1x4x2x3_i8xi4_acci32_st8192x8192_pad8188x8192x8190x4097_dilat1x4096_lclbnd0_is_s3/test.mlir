module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x4x2x3xi8> {tosa.tensor_name = "input-0"}) -> (tensor<1x2x2x3xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<7> : tensor<8192x2x3x1xi4>}> : () -> tensor<8192x2x3x1xi4>
    %1 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %2 = "tosa.const"() <{values = dense<105> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
    %4 = tosa.depthwise_conv2d %arg0, %0, %1, %2, %3 {acc_type = i32, dilation = array<i64: 1, 4096>, pad = array<i64: 8188, 8192, 8190, 4097>, stride = array<i64: 8192, 8192>} : (tensor<1x4x2x3xi8>, tensor<8192x2x3x1xi4>, tensor<1xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x2x2x3xi32>
    return %4 : tensor<1x2x2x3xi32>
  }
}

