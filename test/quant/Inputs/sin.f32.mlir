func.func @main(%x: tensor<1x8x8x1xf32>) -> tensor<1x8x8x1xf32> {
  %y = tosa.sin %x : (tensor<1x8x8x1xf32>) -> tensor<1x8x8x1xf32>
  return %y : tensor<1x8x8x1xf32>
}
