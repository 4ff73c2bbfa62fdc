// Layers whose weight zero point is not 0: cim-lower-crossbar-ops takes
// zp·Σx off the crossbar sums, over each window (conv2d, matmul) or per
// depthwise block, repeated over a block's outputs (multiplier 2) or not
// (multiplier 1), before the constant bias; the runtime's layer call does
// both (program tables format 5).
func.func @main(%x: tensor<1x6x6x2xi8>) -> (tensor<1x6x6x3xi32>, tensor<1x6x6x4xi32>, tensor<1x6x6x2xi32>, tensor<1x6x5xi32>) {
  %w1 = "tosa.const"() <{values = dense<[[[[ -94,  -96],
   [  76,   -1],
   [  23,   25]],

  [[  54, -121],
   [  -4,  -91],
   [ -26,  109]],

  [[  12, -110],
   [  10,  -95],
   [  65,  114]]],


 [[[ 122,   31],
   [  94,  -34],
   [ -91,    2]],

  [[ -15,   41],
   [ 126,  -58],
   [  91,  -93]],

  [[ -39,   73],
   [ -65,   43],
   [ -11,    3]]],


 [[[ 112,   81],
   [  86,   12],
   [ 123,  123]],

  [[ -94,  -76],
   [ -50,   13],
   [  82,   -5]],

  [[ 123,  -38],
   [ 109,   23],
   [  56,  -68]]]]> : tensor<3x3x3x2xi8>}> : () -> tensor<3x3x3x2xi8>
  %w2 = "tosa.const"() <{values = dense<[[[[  23,   77],
   [  98,   94]],

  [[ 119,  -96],
   [  71,   -9]],

  [[  47,  -58],
   [-125, -107]]],


 [[[ 121,  101],
   [ -51,  -18]],

  [[ -67,  -91],
   [  91,   44]],

  [[-109,  -77],
   [  16,  102]]],


 [[[ 126,  -73],
   [  28, -120]],

  [[ -84,  -77],
   [ -15,  -40]],

  [[  58,   -8],
   [ -42,  103]]]]> : tensor<3x3x2x2xi8>}> : () -> tensor<3x3x2x2xi8>
  %w3 = "tosa.const"() <{values = dense<[[[[  32],
   [  50]],

  [[  62],
   [ -42]],

  [[ 100],
   [-124]]],


 [[[ -50],
   [ -88]],

  [[-127],
   [ 127]],

  [[-106],
   [ -11]]],


 [[[  81],
   [  48]],

  [[  91],
   [-115]],

  [[  -1],
   [-120]]]]> : tensor<3x3x2x1xi8>}> : () -> tensor<3x3x2x1xi8>
  %bm = "tosa.const"() <{values = dense<[[[ -79,   88, -110,   22, -123],
  [ -49,  110,  -47,  -49, -106],
  [  70,  -84,   -1, -122, -123],
  [  86, -126,   -9,  -19,  -96],
  [  37,   61,  124,  -78,  108],
  [-113,  -92,   25,   94,  101],
  [  61, -122,  -22,   78,    7],
  [ -80,   46, -105,   50, -124],
  [ -36,  -53,  112,   58,   39],
  [  -2,  -55,   90,  114,  -73],
  [ -66,  -48,   -6,  -62,  -25],
  [ 122,  -34,  112,    0,  -41]]]> : tensor<1x12x5xi8>}> : () -> tensor<1x12x5xi8>
  %b1 = "tosa.const"() <{values = dense<[100, -7, 30000]> : tensor<3xi32>}> : () -> tensor<3xi32>
  %b2 = "tosa.const"() <{values = dense<[1, 2, 3, 4]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %b3 = "tosa.const"() <{values = dense<-9> : tensor<2xi32>}> : () -> tensor<2xi32>
  %xz = "tosa.const"() <{values = dense<-5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %x7 = "tosa.const"() <{values = dense<7> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wz3 = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzm4 = "tosa.const"() <{values = dense<-4> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wz2 = "tosa.const"() <{values = dense<2> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.conv2d %x, %w1, %b1, %xz, %wz3 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x6x3xi32>
  %1 = tosa.depthwise_conv2d %x, %w2, %b2, %x7, %wzm4 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x2xi8>, tensor<3x3x2x2xi8>, tensor<4xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x6x4xi32>
  %2 = tosa.depthwise_conv2d %x, %w3, %b3, %xz, %wz2 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x2xi8>, tensor<3x3x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x6x2xi32>
  %s = tosa.const_shape {values = dense<[1, 6, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %a = tosa.reshape %x, %s : (tensor<1x6x6x2xi8>, !tosa.shape<3>) -> tensor<1x6x12xi8>
  %3 = tosa.matmul %a, %bm, %xz, %wz3 : (tensor<1x6x12xi8>, tensor<1x12x5xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x5xi32>
  return %0, %1, %2, %3 : tensor<1x6x6x3xi32>, tensor<1x6x6x4xi32>, tensor<1x6x6x2xi32>, tensor<1x6x5xi32>
}
