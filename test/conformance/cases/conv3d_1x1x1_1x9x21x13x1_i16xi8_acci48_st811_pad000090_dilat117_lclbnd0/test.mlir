module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x9x21x13x1xi16> {tosa.tensor_name = "input-0"}, %arg1: tensor<2x1x1x1x1xi8> {tosa.tensor_name = "input-1"}) -> (tensor<1x2x21x22x2xi48> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-7005873759680> : tensor<1xi48>}> : () -> tensor<1xi48>
    %1 = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
    %2 = "tosa.const"() <{values = dense<116> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = tosa.conv3d %arg0, %arg1, %0, %1, %2 {acc_type = i48, dilation = array<i64: 1, 1, 7>, pad = array<i64: 0, 0, 0, 0, 9, 0>, stride = array<i64: 8, 1, 1>} : (tensor<1x9x21x13x1xi16>, tensor<2x1x1x1x1xi8>, tensor<1xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x2x21x22x2xi48>
    return %3 : tensor<1x2x21x22x2xi48>
  }
}

