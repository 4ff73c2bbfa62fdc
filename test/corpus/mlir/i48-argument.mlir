func.func @main(%a: tensor<1x4xi48>) -> tensor<1x4xi48> {
  return %a : tensor<1x4xi48>
}
