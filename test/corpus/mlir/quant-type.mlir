func.func @main(%a: tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5>> {
  return %a : tensor<1x4x!quant.uniform<i8:f32, 0.5>>
}
