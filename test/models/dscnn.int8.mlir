module attributes {tf_saved_model.semantics, tfl.description = "MLIR Converted.", tfl.metadata = {CONVERSION_METADATA = "\0C\00\00\00\08\00\0E\00\08\00\04\00\08\00\00\00\10\00\00\00(\00\00\00\00\00\06\00\08\00\04\00\06\00\00\00\04\00\00\00\01\00\00\00\EB\03\00\00\0C\00\18\00\14\00\10\00\0C\00\04\00\0C\00\00\00 I|=:qx\88\02\00\00\00\02\00\00\00\04\00\00\00\06\00\00\002.21.0\00\00", min_runtime_version = "1.14.0\00\00\00\00\00\00\00\00\00\00"}, tfl.schema_version = 3 : i32} {
  func.func @main(%arg0: tensor<1x8x8x1xi8> {tf_saved_model.index_path = ["image"]}) -> (tensor<1x10xi8> {tf_saved_model.index_path = ["output_0"]}) attributes {tf.entry_function = {inputs = "serving_default_image:0", outputs = "StatefulPartitionedCall_1:0"}, tf_saved_model.exported_names = ["serving_default"]} {
    %0 = tosa.const_shape  {values = dense<[3, 3, 16, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %1 = tosa.const_shape  {values = dense<[3, 3, 8, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %2 = tosa.const_shape  {values = dense<[1, 10]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %3 = "tosa.const"() <{values = dense<[38, 39, 38, 39, 38, 39, 39, 37, 39, 40]> : tensor<10xi8>}> : () -> tensor<10xi8>
    %4 = "tosa.const"() <{values = dense<[1470679795, 1586211604, 1930945214, 1331457481, 1391127073, 1848953685, 1765870521, 1110999235, 1292322022, 2048822691]> : tensor<10xi32>}> : () -> tensor<10xi32>
    %5 = "tosa.const"() <{values = dense<57> : tensor<1xi8>}> : () -> tensor<1xi8>
    %6 = tosa.const_shape  {values = dense<[10, 1, 1, 16]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %7 = "tosa.const"() <{values = dense<[16, -351, 48, -287, 67, -76, -8, 100, 101, 126]> : tensor<10xi32>}> : () -> tensor<10xi32>
    %8 = "tosa.const"() <{values = dense<"0x8189ED1C37E0BE15222B18051BFA13C9E00035DC177FF7F51210DDD0AE25FAED1A312501F51EFEF8DA81E50F9A05FFF242470D37E9D1C1E48543CD07177F36D9EC1D070BC2DCDAF23B811BC80EEDEB1D0F0BCE153881002C1FFEC8F83ED92261819B49E4FB9906D22576F5BF21CFD16222FFEDDFEB19C1060981FD161A18D2DB23A63CA4C0DD5EF98173600BD3D6BF01F1518F1D381EB9F64251FED521816FB4"> : tensor<10x16xi8>}> : () -> tensor<10x16xi8>
    %9 = "tosa.const"() <{values = dense<33> : tensor<1xi8>}> : () -> tensor<1xi8>
    %10 = "tosa.const"() <{values = dense<1782002363> : tensor<1xi32>}> : () -> tensor<1xi32>
    %11 = "tosa.const"() <{values = dense<30> : tensor<1xi8>}> : () -> tensor<1xi8>
    %12 = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
    %13 = "tosa.const"() <{values = dense<[36, 37, 37, 36, 37, 37, 37, 38, 36, 36, 37, 37, 36, 35, 37, 36]> : tensor<16xi8>}> : () -> tensor<16xi8>
    %14 = "tosa.const"() <{values = dense<[1191245036, 1626313525, 1284099070, 1420139701, 1126655584, 1335594575, 1190661777, 1461454824, 1669477963, 1200693531, 2083830485, 1605126678, 1230857766, 1171907277, 1219025444, 1139753167]> : tensor<16xi32>}> : () -> tensor<16xi32>
    %15 = "tosa.const"() <{values = dense<[73, 17, -184, -88, -116, -223, -54, 24, 32, -105, 47, 72, -65, 31, -77, -19]> : tensor<16xi32>}> : () -> tensor<16xi32>
    %16 = "tosa.const"() <{values = dense<"0xF6EDDEF706D713DE810356EC050CF2FB01ECEBFFD1812469EC1C5400E925FDC30E1C5AFCC22F20347F00D51B23B8F42510F53BFE010C100B810CFC0DF9F1EF00E9D92A119C7F0E3A9A18491803F515B9E5174CF8B77FE99418098ADC1CF1F31BDAE325EEB42BDBA5E8E48107DE29022B0D255BD5D9B5B329811CD723DE30E6EEFF0981040B110C31C9F5D9F80702FE2D0016D60B8F43140781F90EFC1315FE03F8F881042B0C1124F2FAF4F00B10EEF3E4087FF20E1AFCB0E50D1F0B14CAE1C00002BAFEEE320108811BF4FCFCEAFA1F03F900010D810501C5F705F800020406F60F0EE381200C02A9F745E62E1E23EEE9FF1EFC228107BB43F9E3FF0A0B09B8"> : tensor<16x1x1x16xi8>}> : () -> tensor<16x1x1x16xi8>
    %17 = "tosa.const"() <{values = dense<[40, 40, 38, 41, 38, 38, 41, 38, 38, 41, 38, 40, 40, 39, 40, 38]> : tensor<16xi8>}> : () -> tensor<16xi8>
    %18 = "tosa.const"() <{values = dense<[1222827698, 1402519881, 1699347621, 1629283044, 1680352479, 1767642615, 2032870122, 2124537228, 1591046516, 2056510697, 1950796196, 1109351030, 1099149037, 1219718152, 1175049094, 1841102716]> : tensor<16xi32>}> : () -> tensor<16xi32>
    %19 = "tosa.const"() <{values = dense<[-352, -148, -98, -262, 101, -171, -36, -38, 372, -629, -62, -202, -429, -129, -190, -37]> : tensor<16xi32>}> : () -> tensor<16xi32>
    %20 = "tosa.const"() <{values = dense<"0xD9CFF801F8210C12FAFE7F07F898BA40B4819C9ED67F3004DAD05EB82A81ECFDB7EDDAE617E329E1987F6239F8CA3E81FD0852AB7FC6A0202F161A40CE838F0D818160A5234AC34ED6D73822F4D9B7EA01D80A2E16C3C13F81F8D38181CCB70AD8A9B08D6CEBAF7451DBDA09C8D981A2A9B081C2630F1A4071FF313BB936F2169BECE88150DA7F7F4D021134F6D1FF49"> : tensor<1x3x3x16xi8>}> : () -> tensor<1x3x3x16xi8>
    %21 = "tosa.const"() <{values = dense<[40, 40, 37, 40, 38, 38, 40, 38, 37, 39, 38, 40, 40, 39, 40, 38]> : tensor<16xi8>}> : () -> tensor<16xi8>
    %22 = "tosa.const"() <{values = dense<[1927786192, 1716136439, 1259878676, 1645184222, 1514727504, 1409788121, 1654498044, 2101087326, 1222566661, 1115352445, 1486979859, 1933847723, 1769771361, 1377275991, 1973130704, 1243674721]> : tensor<16xi32>}> : () -> tensor<16xi32>
    %23 = "tosa.const"() <{values = dense<[-85, 510, 38, 257, -186, -917, 104, 212, -300, -250, 294, -225, -347, -488, -46, 336]> : tensor<16xi32>}> : () -> tensor<16xi32>
    %24 = "tosa.const"() <{values = dense<"0x6E177F0E74402322D4987E0581B2D9E6097F03DAF8012395685B2649F8AB107FF9EA1B7F150F2539ED4D00F58F217FAB7FCB269800A9BD01ECD2F51DCBE6813DEA5CEC13810400D23B9B73B132C2BE8103EDE15781F3B667369F5499FD6181ED7F917546B802AB0C3281251101E5F1EFADBE9EFAFB56D981D1CAF0E7B1F45381"> : tensor<16x1x1x8xi8>}> : () -> tensor<16x1x1x8xi8>
    %25 = "tosa.const"() <{values = dense<[41, 38, 41, 38, 37, 40, 39, 39]> : tensor<8xi8>}> : () -> tensor<8xi8>
    %26 = "tosa.const"() <{values = dense<[1980227575, 1348609239, 1282609274, 1500184922, 1097052958, 1174524283, 1640376603, 1917833762]> : tensor<8xi32>}> : () -> tensor<8xi32>
    %27 = "tosa.const"() <{values = dense<[-1279, 504, -1506, -240, -177, -1260, 930, -94]> : tensor<8xi32>}> : () -> tensor<8xi32>
    %28 = "tosa.const"() <{values = dense<[[[[56, -9, 45, 85, 5, -127, 91, 91], [-23, -48, 14, 76, 42, 12, 66, 127], [-64, -37, 31, -78, 42, 15, -77, 75]], [[-9, 61, -9, 17, 0, 37, 68, -23], [41, 15, 26, 31, -1, 28, 93, 42], [-127, 16, -79, 3, -44, -14, -127, -75]], [[20, 127, 39, -127, 1, -100, 77, -67], [10, 73, -127, 15, -9, 27, 106, -67], [20, 83, 63, 30, -127, -20, -113, -58]]]]> : tensor<1x3x3x8xi8>}> : () -> tensor<1x3x3x8xi8>
    %29 = "tosa.const"() <{values = dense<[42, 40, 42, 40, 39, 42, 39, 39]> : tensor<8xi8>}> : () -> tensor<8xi8>
    %30 = "tosa.const"() <{values = dense<[1358339177, 2027246186, 1399241421, 1865583565, 1439985175, 1573604887, 1124985841, 1472328911]> : tensor<8xi32>}> : () -> tensor<8xi32>
    %31 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %32 = "tosa.const"() <{values = dense<[[[[6], [76], [-39]], [[-99], [-127], [-104]], [[102], [18], [2]]], [[[22], [102], [-28]], [[-127], [38], [119]], [[-32], [45], [60]]], [[[7], [61], [-127]], [[91], [50], [-95]], [[-93], [-96], [-24]]], [[[-112], [82], [111]], [[-4], [-25], [18]], [[126], [30], [-127]]], [[[-50], [-26], [127]], [[38], [21], [63]], [[49], [1], [57]]], [[[35], [40], [-14]], [[19], [-127], [15]], [[-49], [-118], [9]]], [[[104], [94], [4]], [[46], [127], [-50]], [[-16], [97], [-44]]], [[[50], [70], [73]], [[8], [-25], [38]], [[-127], [-18], [-29]]]]> : tensor<8x3x3x1xi8>}> : () -> tensor<8x3x3x1xi8>
    %33 = "tosa.const"() <{values = dense<[-8909, -2375, -6113, 3063, 6171, -8604, 9246, 5663]> : tensor<8xi32>}> : () -> tensor<8xi32>
    %34 = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
    %35 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %36 = tosa.conv2d %arg0, %32, %33, %34, %35 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x1xi8>, tensor<8x3x3x1xi8>, tensor<8xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x8x8x8xi32>
    %37 = tosa.rescale %36, %30, %29, %31, %34 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true} : (tensor<1x8x8x8xi32>, tensor<8xi32>, tensor<8xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8>
    %38 = tosa.clamp %37 {max_val = 127 : i8, min_val = -128 : i8} : (tensor<1x8x8x8xi8>) -> tensor<1x8x8x8xi8>
    %39 = tosa.reshape %28, %1 : (tensor<1x3x3x8xi8>, !tosa.shape<4>) -> tensor<3x3x8x1xi8>
    %40 = tosa.depthwise_conv2d %38, %39, %27, %34, %35 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x8xi8>, tensor<3x3x8x1xi8>, tensor<8xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x8x8x8xi32>
    %41 = tosa.rescale %40, %26, %25, %31, %34 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true} : (tensor<1x8x8x8xi32>, tensor<8xi32>, tensor<8xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8>
    %42 = tosa.clamp %41 {max_val = 127 : i8, min_val = -128 : i8} : (tensor<1x8x8x8xi8>) -> tensor<1x8x8x8xi8>
    %43 = tosa.conv2d %42, %24, %23, %34, %35 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x8x8x8xi8>, tensor<16x1x1x8xi8>, tensor<16xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x8x8x16xi32>
    %44 = tosa.rescale %43, %22, %21, %31, %34 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true} : (tensor<1x8x8x16xi32>, tensor<16xi32>, tensor<16xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x16xi8>
    %45 = tosa.clamp %44 {max_val = 127 : i8, min_val = -128 : i8} : (tensor<1x8x8x16xi8>) -> tensor<1x8x8x16xi8>
    %46 = tosa.max_pool2d %45 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x8x8x16xi8>) -> tensor<1x4x4x16xi8>
    %47 = tosa.reshape %20, %0 : (tensor<1x3x3x16xi8>, !tosa.shape<4>) -> tensor<3x3x16x1xi8>
    %48 = tosa.depthwise_conv2d %46, %47, %19, %34, %35 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x16xi8>, tensor<3x3x16x1xi8>, tensor<16xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x16xi32>
    %49 = tosa.rescale %48, %18, %17, %31, %34 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true} : (tensor<1x4x4x16xi32>, tensor<16xi32>, tensor<16xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x16xi8>
    %50 = tosa.clamp %49 {max_val = 127 : i8, min_val = -128 : i8} : (tensor<1x4x4x16xi8>) -> tensor<1x4x4x16xi8>
    %51 = tosa.conv2d %50, %16, %15, %34, %35 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x16xi8>, tensor<16x1x1x16xi8>, tensor<16xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x16xi32>
    %52 = tosa.rescale %51, %14, %13, %31, %34 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true} : (tensor<1x4x4x16xi32>, tensor<16xi32>, tensor<16xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x16xi8>
    %53 = tosa.clamp %52 {max_val = 127 : i8, min_val = -128 : i8} : (tensor<1x4x4x16xi8>) -> tensor<1x4x4x16xi8>
    %54 = tosa.rescale %53, %12, %11, %34, %31 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = DOUBLE_ROUND, scale32 = true} : (tensor<1x4x4x16xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x4x4x16xi32>
    %55 = tosa.reduce_sum %54 {axis = 1 : i32} : (tensor<1x4x4x16xi32>) -> tensor<1x1x4x16xi32>
    %56 = tosa.reduce_sum %55 {axis = 2 : i32} : (tensor<1x1x4x16xi32>) -> tensor<1x1x1x16xi32>
    %57 = tosa.rescale %56, %10, %9, %31, %34 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = DOUBLE_ROUND, scale32 = true} : (tensor<1x1x1x16xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x16xi8>
    %58 = tosa.reshape %8, %6 : (tensor<10x16xi8>, !tosa.shape<4>) -> tensor<10x1x1x16xi8>
    %59 = tosa.conv2d %57, %58, %7, %34, %35 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x16xi8>, tensor<10x1x1x16xi8>, tensor<10xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x10xi32>
    %60 = tosa.rescale %59, %4, %3, %31, %5 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true} : (tensor<1x1x1x10xi32>, tensor<10xi32>, tensor<10xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x10xi8>
    %61 = tosa.reshape %60, %2 : (tensor<1x1x1x10xi8>, !tosa.shape<2>) -> tensor<1x10xi8>
    return %61 : tensor<1x10xi8>
  }
}
