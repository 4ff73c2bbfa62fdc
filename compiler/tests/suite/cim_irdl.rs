//! The typed views of the `cim` dialect held against `cim.irdl.mlir`: every
//! op the IRDL declares has a view, each view names exactly the attributes
//! its op declares, `build` sets each of them (and nothing else), `from_op`
//! reads each back and rejects the op without it; the discardable `cim.*`
//! attributes each have a setter, a getter and a line in the README.

use cimc_dialects::cim::{
    self, Accumulate, Im2col, Im2colAttrs, Matmul, MatmulAttrs, Mvm, MvmAttrs, Placement, Program,
    ProgramAttrs, ShiftAdd, ShiftAddAttrs, TilePosition,
};
use cimc_dialects::handle::{AttrRef, BlockRef, OpRef};
use cimc_dialects::Builder;
use melior::dialect::DialectRegistry;
use melior::ir::block::BlockLike;
use melior::ir::operation::OperationLike;
use melior::ir::{Location, Module};
use melior::{utility, Context};
use mlir_sys as sys;
use std::collections::BTreeMap;

/// Each `irdl.operation` of the definition with the names in its
/// `irdl.attributes` (none when it has no such list): the IRDL text parsed
/// by MLIR and walked, so that no layout of the text can hide a name.
fn declared() -> BTreeMap<String, Vec<String>> {
    let context = context();
    let module = Module::parse(&context, cim::IRDL).expect("the IRDL parses");
    let mut ops = BTreeMap::new();
    for dialect in block_ops(module.body().to_raw()) {
        assert_eq!(name(dialect), "irdl.dialect");
        assert_eq!(string(dialect, "sym_name"), cim::NAMESPACE);
        for op in block_ops(first_block(dialect)) {
            if name(op) != "irdl.operation" {
                continue;
            }
            let mut attributes = Vec::new();
            for part in block_ops(first_block(op)) {
                if name(part) == "irdl.attributes" {
                    attributes.extend(strings(part, "attributeValueNames"));
                }
            }
            let op_name = format!("{}.{}", cim::NAMESPACE, string(op, "sym_name"));
            assert!(ops.insert(op_name, attributes).is_none(), "an op twice");
        }
    }
    ops
}

fn op(raw: sys::MlirOperation) -> OpRef {
    OpRef::new(raw).expect("an op")
}

fn name(raw: sys::MlirOperation) -> String {
    op(raw).name()
}

fn first_block(raw: sys::MlirOperation) -> sys::MlirBlock {
    op(raw).body().expect("a region with a block").raw()
}

fn block_ops(block: sys::MlirBlock) -> Vec<sys::MlirOperation> {
    BlockRef::new(block)
        .expect("a block")
        .ops()
        .into_iter()
        .map(OpRef::raw)
        .collect()
}

fn attribute(raw: sys::MlirOperation, key: &str) -> AttrRef {
    op(raw)
        .attribute(key)
        .unwrap_or_else(|| panic!("'{}' without {key}", name(raw)))
}

fn string(raw: sys::MlirOperation, key: &str) -> String {
    attribute(raw, key).as_string().expect(key)
}

fn strings(raw: sys::MlirOperation, key: &str) -> Vec<String> {
    attribute(raw, key)
        .as_array()
        .expect(key)
        .into_iter()
        .map(|element| element.as_string().expect(key))
        .collect()
}

/// Every view: op name, declared attributes, discardable attributes.
const VIEWS: &[(&str, &[&str], &[&str])] = &[
    (Im2col::NAME, Im2col::ATTRIBUTES, &[]),
    (Matmul::NAME, Matmul::ATTRIBUTES, &[]),
    (Program::NAME, Program::ATTRIBUTES, Program::DISCARDABLE),
    (Mvm::NAME, Mvm::ATTRIBUTES, Mvm::DISCARDABLE),
    (ShiftAdd::NAME, ShiftAdd::ATTRIBUTES, &[]),
    (Accumulate::NAME, Accumulate::ATTRIBUTES, &[]),
];

fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    names.sort();
    names
}

#[test]
fn views_name_exactly_the_declared_attributes() {
    let declared = declared();
    assert_eq!(declared.len(), 6, "the IRDL text was read: {declared:?}");
    let views: Vec<&str> = VIEWS.iter().map(|(name, _, _)| *name).collect();
    assert_eq!(
        declared.keys().cloned().collect::<Vec<_>>(),
        sorted(&views),
        "every declared op has a view and no view lacks an op"
    );
    assert_eq!(sorted(cim::OPS), sorted(&views));
    for (name, attributes, _) in VIEWS {
        let mut from_irdl = declared[*name].clone();
        from_irdl.sort();
        assert_eq!(from_irdl, sorted(attributes), "{name}: IRDL vs view");
        let mut unique = sorted(attributes);
        unique.dedup();
        assert_eq!(unique.len(), attributes.len(), "{name}: a name twice");
    }
}

#[test]
fn discardable_attributes_are_cim_prefixed_and_documented() {
    let readme = include_str!("../../../dialects/cim/README.md");
    let declared = declared();
    for (name, attributes, discardable) in VIEWS {
        for attr in *discardable {
            assert!(attr.starts_with("cim."), "{name}: {attr}");
            assert!(!attributes.contains(attr), "{name}: {attr} is inherent");
            assert!(!declared[*name].iter().any(|d| d == attr));
            assert!(readme.contains(&format!("`{attr}`")), "README lacks {attr}");
        }
    }
}

fn context() -> Context {
    let registry = DialectRegistry::new();
    utility::register_all_dialects(&registry);
    let context = Context::new();
    context.append_dialect_registry(&registry);
    context.load_all_available_dialects();
    cimc_dialects::load_all(&context).expect("the cim dialect loads");
    context
}

const MODULE: &str = r#"
func.func @f(%image: tensor<1x3x3x1xi8>, %x: tensor<4x2xi8>, %p: tensor<4x4xi32>) {
  %w = "tosa.const"() <{values = dense<1> : tensor<2x4xi8>}> : () -> tensor<2x4xi8>
  return
}
"#;

/// The names of every attribute `op` carries, sorted.
fn attribute_names(raw: sys::MlirOperation) -> Vec<String> {
    let mut names: Vec<String> = op(raw).attrs().into_iter().map(|(n, _)| n).collect();
    names.sort();
    names
}

/// `from_op` rejects a copy of `op` that lacks each declared attribute in
/// turn, naming it.
fn each_attribute_is_required<T: std::fmt::Debug>(
    op: sys::MlirOperation,
    attributes: &[&str],
    from_op: fn(sys::MlirOperation) -> Result<T, cim::MalformedOp>,
) {
    for attr in attributes {
        let copy = self::op(op).deep_clone();
        copy.remove_attr(attr);
        let err = from_op(copy.raw()).expect_err(attr);
        assert!(err.to_string().contains(&format!("'{attr}'")), "{err}");
        copy.erase();
    }
}

#[test]
fn build_sets_every_declared_attribute_and_from_op_reads_it_back() {
    let context = context();
    let module = Module::parse(&context, MODULE).expect("parses");
    let func = module
        .body()
        .first_operation()
        .expect("a function")
        .to_raw();
    let body = unsafe { sys::mlirRegionGetFirstBlock(sys::mlirOperationGetRegion(func, 0)) };
    let arg = |i| unsafe { sys::mlirBlockGetArgument(body, i) };
    let weights = unsafe { sys::mlirOperationGetResult(sys::mlirBlockGetFirstOperation(body), 0) };
    let ret = unsafe { sys::mlirBlockGetTerminator(body) };
    let at = Builder::before(ret);

    let im2col_attrs = Im2colAttrs {
        kernel: [2, 2],
        stride: [1, 1],
        dilation: [1, 1],
        pad: [0, 1, 0, 1],
        pad_value: -3,
        channel_major: true,
    };
    let im2col = Im2col::build(&at, arg(0), at.ty("tensor<9x4xi8>"), &im2col_attrs);
    let matmul_attrs = MatmulAttrs {
        input_bits: 8,
        weight_bits: 4,
        cell_bits: 2,
        layer: "l".into(),
        blocks: 1,
    };
    let matmul = Matmul::build(
        &at,
        arg(1),
        weights,
        at.ty("tensor<4x4xi32>"),
        &matmul_attrs,
    );
    let program_attrs = ProgramAttrs {
        cell_bits: 2,
        weight_bits: 4,
        layer: "l".into(),
    };
    let program = Program::build(&at, weights, &program_attrs);
    let mvm_attrs = MvmAttrs {
        input_bits: 8,
        dac_bits: 1,
        adc_bits: 6,
        adc_shift: 0,
        max_active_rows: 128,
        layer: "l".into(),
    };
    let mut mvm = Mvm::build(&at, &program, arg(1), at.ty("tensor<4x4xi32>"), &mvm_attrs);
    let shift_add_attrs = ShiftAddAttrs {
        slices: 2,
        cell_bits: 2,
        differential: false,
        offset: 0,
    };
    let shift_add = ShiftAdd::build(&at, arg(2), at.ty("tensor<4x2xi32>"), &shift_add_attrs);
    // Two blocks of one output, each a slice column and a reference column.
    let reference_attrs = ShiftAddAttrs {
        slices: 1,
        cell_bits: 2,
        differential: false,
        offset: 8,
    };
    let reference = ShiftAdd::build(
        &at,
        mvm.result(),
        at.ty("tensor<4x2xi32>"),
        &reference_attrs,
    );
    let accumulate = Accumulate::build(&at, &[arg(2), mvm.result()], at.ty("tensor<4x4xi32>"));
    assert!(
        module.as_operation().verify(),
        "IRDL accepts every built op: build sets each declared attribute"
    );

    let built = [
        (im2col.op(), Im2col::ATTRIBUTES),
        (matmul.op(), Matmul::ATTRIBUTES),
        (program.op(), Program::ATTRIBUTES),
        (mvm.op(), Mvm::ATTRIBUTES),
        (shift_add.op(), ShiftAdd::ATTRIBUTES),
        (accumulate.op(), Accumulate::ATTRIBUTES),
    ];
    for (op, attributes) in built {
        assert_eq!(
            attribute_names(op),
            sorted(attributes),
            "build sets no other"
        );
    }

    let read = Im2col::from_op(im2col.op()).expect("well-formed");
    assert_eq!(read.attrs(), &im2col_attrs);
    assert_eq!(read.input_shape(), [1, 3, 3, 1]);
    let read = Matmul::from_op(matmul.op()).expect("well-formed");
    assert_eq!(read.attrs(), &matmul_attrs);
    assert_eq!((read.input_shape(), read.weights_shape()), ([4, 2], [2, 4]));
    let read = Program::from_op(program.op()).expect("well-formed");
    assert_eq!(read.attrs(), &program_attrs);
    assert_eq!(read.levels_shape(), [2, 4]);
    let read = Mvm::from_op(mvm.op()).expect("well-formed");
    assert_eq!(read.attrs(), &mvm_attrs);
    assert_eq!(read.tile().op().ptr, program.op().ptr);
    assert_eq!(read.input_shape(), [4, 2]);
    let read = ShiftAdd::from_op(shift_add.op()).expect("well-formed");
    assert_eq!(read.attrs(), &shift_add_attrs);
    assert_eq!(read.partials_shape(), [4, 4]);
    assert_eq!((read.group(), read.references()), (2, 0));
    let read = ShiftAdd::from_op(reference.op()).expect("well-formed");
    assert_eq!(read.attrs(), &reference_attrs);
    assert_eq!((read.group(), read.references(), read.offset()), (1, 2, 8));
    assert_eq!(
        Accumulate::from_op(accumulate.op())
            .expect("well-formed")
            .partials()
            .len(),
        2
    );
    assert!(matches!(
        cim::Op::from_op(mvm.op()),
        Ok(Some(cim::Op::Mvm(_)))
    ));
    assert!(matches!(cim::Op::from_op(ret), Ok(None)));

    each_attribute_is_required(im2col.op(), Im2col::ATTRIBUTES, Im2col::from_op);
    each_attribute_is_required(matmul.op(), Matmul::ATTRIBUTES, Matmul::from_op);
    each_attribute_is_required(program.op(), Program::ATTRIBUTES, Program::from_op);
    each_attribute_is_required(mvm.op(), Mvm::ATTRIBUTES, Mvm::from_op);
    each_attribute_is_required(shift_add.op(), ShiftAdd::ATTRIBUTES, ShiftAdd::from_op);

    // Discardable attributes: absent until set, then read back.
    assert_eq!(program.placement(), None);
    assert_eq!((program.row_offset(), program.flipped()), (None, None));
    assert_eq!((mvm.stage(), mvm.steps()), (None, None));
    let placement = Placement {
        core: 1,
        macro_: 2,
        array: 3,
        phase: 4,
    };
    program.set_position(TilePosition {
        row_offset: 128,
        col_offset: 256,
        used_cells: 8,
    });
    program.set_flipped(&[false, true, false, true]);
    program.set_placement(placement);
    program.set_replicas(2);
    program.set_replica_placements(&[Placement {
        array: 4,
        ..placement
    }]);
    assert_eq!(program.replicas(), 2);
    assert_eq!(
        program.replica_placements(),
        [Placement {
            array: 4,
            ..placement
        }]
    );
    mvm.set_stage(5);
    mvm.set_steps(64);
    mvm.set_adc_shift(2);
    assert_eq!(mvm.adc_shift(), 2);
    let mut with_discardable = [Program::ATTRIBUTES, Program::DISCARDABLE].concat();
    assert_eq!(attribute_names(program.op()), sorted(&with_discardable));
    with_discardable = [Mvm::ATTRIBUTES, Mvm::DISCARDABLE].concat();
    assert_eq!(attribute_names(mvm.op()), sorted(&with_discardable));
    let program = Program::from_op(program.op()).expect("well-formed");
    assert_eq!(program.placement(), Some(placement));
    assert_eq!(
        (
            program.row_offset(),
            program.col_offset(),
            program.used_cells()
        ),
        (Some(128), Some(256), Some(8))
    );
    assert_eq!(program.flipped(), Some(vec![false, true, false, true]));
    let mvm = Mvm::from_op(mvm.op()).expect("well-formed");
    assert_eq!((mvm.stage(), mvm.steps()), (Some(5), Some(64)));
    assert!(module.as_operation().verify());

    // Annotations on other dialects' ops.
    cim::set_schedule(func, "layer-sequential");
    assert_eq!(cim::schedule(func).as_deref(), Some("layer-sequential"));
    cim::set_layer_name(ret, "conv1");
    assert_eq!(cim::layer_name(ret).as_deref(), Some("conv1"));
}

#[test]
fn a_malformed_op_is_an_error_at_its_location() {
    let context = context();
    let text = r#"func.func @g(%t: !cim.tile, %x: tensor<4x2xi8>) -> tensor<4x2xi32> {
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l"} : (!cim.tile, tensor<4x2xi8>) -> tensor<4x2xi32>
  %s = "cim.shift_add"(%p) {slices = -1 : i64, cell_bits = 2 : i64, differential = false, offset = 0 : i64} : (tensor<4x2xi32>) -> tensor<4x2xi32>
  %r = "cim.shift_add"(%p) {slices = 1 : i64, cell_bits = 2 : i64, differential = false, offset = 0 : i64} : (tensor<4x2xi32>) -> tensor<4x1xi32>
  return %s : tensor<4x2xi32>
}"#;
    let module = Module::parse(&context, text).expect("IRDL accepts it");
    let func = module
        .body()
        .first_operation()
        .expect("a function")
        .to_raw();
    let ops = block_ops(first_block(func));
    // The error's location, as MLIR prints it.
    let location =
        |err: &cim::MalformedOp| unsafe { Location::from_raw(err.location()) }.to_string();
    let (mvm, shift_add) = (ops[0], ops[1]);
    let err = Mvm::from_op(mvm).expect_err("the tile is an argument");
    assert_eq!(
        err.to_string(),
        "'cim.mvm' op operand #0 ('tile') must be the result of a 'cim.program'"
    );
    let at = location(&err);
    assert!(at.contains(":2:"), "{at}");
    let err = ShiftAdd::from_op(shift_add).expect_err("negative slices");
    assert_eq!(
        err.to_string(),
        "'cim.shift_add' op attribute 'slices' must be a non-negative integer that fits 32 bits"
    );
    let at = location(&err);
    assert!(at.contains(":3:"), "{at}");
    let err = ShiftAdd::from_op(ops[2]).expect_err("a reference column without an offset");
    assert_eq!(
        err.to_string(),
        "'cim.shift_add' op has 2 partial-sum columns for 1 outputs of 1 columns each (no reference columns without an offset)"
    );
    let err = Program::from_op(shift_add).expect_err("not a program");
    assert_eq!(
        err.to_string(),
        "'cim.shift_add' op is not a 'cim.program' op"
    );
}
