// An int8 conv3d with constant weights (depth stride 2, depth padding,
// dilation) and a bias that is an argument; and a transpose_conv2d and a
// matmul with a constant left-hand side, which reach crossbars once
// decomposed or oriented.
func.func @main(%x: tensor<1x4x5x5x2xi8>, %bias: tensor<3xi32>) -> tensor<1x2x3x1x3xi32> {
  %w = "tosa.const"() <{values = dense<[[[[[-92, 3], [120, -9], [78, 106]], [[82, 33], [-16, 3], [-60, -1]], [[-31, -65], [126, -125], [-104, -79]]], [[[120, 49], [97, -77], [56, -34]], [[-3, -128], [30, 84], [41, -89]], [[8, -60], [119, 97], [-81, 2]]]], [[[[112, 88], [53, 35], [-118, 61]], [[-7, -105], [-66, 10], [58, 1]], [[28, 95], [47, -36], [36, 25]]], [[[-101, -113], [41, -29], [25, -46]], [[-71, -90], [-31, 80], [-26, -31]], [[19, 122], [-28, 23], [-16, 26]]]], [[[[-14, 35], [12, 45], [116, -90]], [[15, -16], [-37, -67], [-115, -25]], [[83, -104], [-25, 119], [115, -73]]], [[[-127, 43], [-125, -52], [-1, 95]], [[-105, 41], [8, -95], [88, 88]], [[-5, 113], [27, 103], [117, 17]]]]]> : tensor<3x2x3x3x2xi8>}> : () -> tensor<3x2x3x3x2xi8>
  %xz = "tosa.const"() <{values = dense<-5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wz = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.conv3d %x, %w, %bias, %xz, %wz {acc_type = i32, dilation = array<i64: 2, 1, 2>, pad = array<i64: 1, 0, 0, 0, 0, 0>, stride = array<i64: 2, 1, 2>} : (tensor<1x4x5x5x2xi8>, tensor<3x2x3x3x2xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x3x1x3xi32>
  return %0 : tensor<1x2x3x1x3xi32>
}
