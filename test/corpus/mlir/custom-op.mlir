func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tosa.custom %a {domain_name = "TFL", implementation_attrs = "", operator_name = "MaxUnpooling2D"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
