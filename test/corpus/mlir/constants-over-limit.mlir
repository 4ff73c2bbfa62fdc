func.func @main(%x: tensor<4xi32>) -> tensor<4xi32> {
  %a = "tosa.const"() <{values = dense<1> : tensor<4xi32>}> : () -> tensor<4xi32>
  %b = "tosa.const"() <{values = dense<2> : tensor<4xi32>}> : () -> tensor<4xi32>
  %0 = tosa.add %x, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = tosa.add %0, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %1 : tensor<4xi32>
}
