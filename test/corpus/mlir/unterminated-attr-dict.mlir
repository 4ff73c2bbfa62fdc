func.func @main(%a: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "tosa.abs"(%a) {