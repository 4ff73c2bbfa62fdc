func.func @main(%a: tensor<1x4xi8>) -> tensor<1x1xi8> {
  %0 = tosa.reduce_max %a {axis = 5 : i32} : (tensor<1x4xi8>) -> tensor<1x1xi8>
  return %0 : tensor<1x1xi8>
}
