func.func @main(%a: tensor<1x4xi32>, %b: tensor<1x4xf32>) -> tensor<1x4xi32> {
  %0 = tosa.add %a, %b : (tensor<1x4xi32>, tensor<1x4xf32>) -> tensor<1x4xi32>
  return %0 : tensor<1x4xi32>
}
