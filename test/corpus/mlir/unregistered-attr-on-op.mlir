func.func @main(%a: tensor<1x4xi32>) -> tensor<1x4xi32> {
  %0 = tosa.abs %a {bogus = #foo.bar} : (tensor<1x4xi32>) -> tensor<1x4xi32>
  return %0 : tensor<1x4xi32>
}
