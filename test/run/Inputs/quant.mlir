// Reference execution checks its input like every phase.
func.func @main(%a: tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5>> {
  %0 = tosa.clamp %a {min_val = 0 : i8, max_val = 6 : i8} : (tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<1x4x!quant.uniform<i8:f32, 0.5>>
}
