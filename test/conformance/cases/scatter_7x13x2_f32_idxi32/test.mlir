module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<7x13x2xf32> {tosa.tensor_name = "input-0"}, %arg1: tensor<7x2xi32> {tosa.tensor_name = "input-1"}) -> (tensor<7x13x2xf32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[882.213317, -0.0179387238], [418.7117, -0.560492754]], [[1.16078867E+38, 708.855042], [0.759095788, 7.59638909E+35]], [[0.430100888, -7.22350361E+37], [2.2976155E+38, -3.88478118E+37]], [[-1.82293531E+38, 0.176497445], [-674.781067, 1.57289174E+38]], [[0.993018507, -327.158691], [-5.50662452E+37, 2.89670778E+38]], [[0.517433405, -1.97586306E+38], [0.0890393108, 0.522740602]], [[-5.16303137E+37, 0.277547479], [-0.916039764, -1.24031762E+38]]]> : tensor<7x2x2xf32>}> : () -> tensor<7x2x2xf32>
    %1 = tosa.scatter %arg0, %arg1, %0 : (tensor<7x13x2xf32>, tensor<7x2xi32>, tensor<7x2x2xf32>) -> tensor<7x13x2xf32>
    return %1 : tensor<7x13x2xf32>
  }
}

