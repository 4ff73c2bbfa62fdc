//! Safe handles on MLIR's C API for IR surgery: [`OpRef`], [`ValueRef`],
//! [`BlockRef`] and [`AttrRef`]. Passes that erase or replace ops while walking cannot keep
//! melior's borrowed references, so they hold these `Copy` handles instead;
//! every C call sits here, behind checks for null handles and the kind of
//! value (an op result or a block argument), so a pass needs no `unsafe`.
//!
//! A handle is valid while the IR it names lives: [`OpRef::erase`] consumes
//! its handle, and walks return snapshots ([`OpRef::nested_ops`]), so a pass
//! may erase the ops it visits as long as it does not visit an op nested in
//! one it already erased.

mod attr;
mod dense;
mod location;
mod ty;

pub use attr::AttrRef;
pub use dense::DenseInt;
pub use location::{emit_error, location_name, melior_location};
use mlir_sys as sys;
pub use ty::TypeRef;

/// `text` as the C API's string reference (borrowed, not copied).
pub fn string_ref(text: &str) -> sys::MlirStringRef {
    sys::MlirStringRef {
        data: text.as_ptr().cast(),
        length: text.len(),
    }
}

/// The text of a string reference the C API returned (lossy on non-UTF-8).
fn text(reference: sys::MlirStringRef) -> String {
    if reference.data.is_null() {
        return String::new();
    }
    let bytes =
        unsafe { std::slice::from_raw_parts(reference.data.cast::<u8>(), reference.length) };
    String::from_utf8_lossy(bytes).into_owned()
}

/// An attribute as MLIR prints it (a null attribute prints empty).
pub fn attribute_text(attr: sys::MlirAttribute) -> String {
    if attr.ptr.is_null() {
        return String::new();
    }
    unsafe { melior::ir::Attribute::from_raw(attr) }.to_string()
}

/// A type as MLIR prints it (a null type prints empty).
pub fn type_text(ty: sys::MlirType) -> String {
    if ty.ptr.is_null() {
        return String::new();
    }
    unsafe { melior::ir::Type::from_raw(ty) }.to_string()
}

/// An operation.
#[derive(Clone, Copy, Debug)]
pub struct OpRef(sys::MlirOperation);

/// An SSA value: an op's result or a block's argument.
#[derive(Clone, Copy, Debug)]
pub struct ValueRef(sys::MlirValue);

/// A block of a region.
#[derive(Clone, Copy, Debug)]
pub struct BlockRef(sys::MlirBlock);

/// Handles compare and hash by the object they name.
macro_rules! identity {
    ($($handle:ident),*) => {$(
        impl PartialEq for $handle {
            fn eq(&self, other: &Self) -> bool {
                self.0.ptr == other.0.ptr
            }
        }
        impl Eq for $handle {}
        impl std::hash::Hash for $handle {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.ptr.hash(state)
            }
        }
    )*};
}
identity!(OpRef, ValueRef, BlockRef);

impl OpRef {
    /// The handle of `op`; `None` for a null handle.
    pub fn new(op: sys::MlirOperation) -> Option<OpRef> {
        (!op.ptr.is_null()).then_some(OpRef(op))
    }

    /// The C handle, for the calls this module does not wrap.
    pub fn raw(self) -> sys::MlirOperation {
        self.0
    }

    /// The op's name (`tosa.conv2d`).
    pub fn name(self) -> String {
        unsafe { text(sys::mlirIdentifierStr(sys::mlirOperationGetName(self.0))) }
    }

    /// Whether the op is named `name`.
    pub fn is(self, name: &str) -> bool {
        self.name() == name
    }

    pub fn location(self) -> sys::MlirLocation {
        unsafe { sys::mlirOperationGetLocation(self.0) }
    }

    pub fn context(self) -> sys::MlirContext {
        unsafe { sys::mlirOperationGetContext(self.0) }
    }

    /// The attribute `name`, if present.
    pub fn attr(self, name: &str) -> Option<sys::MlirAttribute> {
        let attr = unsafe { sys::mlirOperationGetAttributeByName(self.0, string_ref(name)) };
        (!attr.ptr.is_null()).then_some(attr)
    }

    /// The attribute `name` as a typed handle, if present.
    pub fn attribute(self, name: &str) -> Option<AttrRef> {
        self.attr(name).and_then(AttrRef::new)
    }

    pub fn has_attr(self, name: &str) -> bool {
        self.attr(name).is_some()
    }

    /// Sets (or replaces) the attribute `name`; a null attribute is ignored.
    pub fn set_attr(self, name: &str, attr: sys::MlirAttribute) {
        if !attr.ptr.is_null() {
            unsafe { sys::mlirOperationSetAttributeByName(self.0, string_ref(name), attr) }
        }
    }

    /// Removes the attribute `name`; whether it was there.
    pub fn remove_attr(self, name: &str) -> bool {
        unsafe { sys::mlirOperationRemoveAttributeByName(self.0, string_ref(name)) }
    }

    /// Every attribute, as (name, attribute), in the op's order.
    pub fn attrs(self) -> Vec<(String, sys::MlirAttribute)> {
        unsafe {
            (0..sys::mlirOperationGetNumAttributes(self.0))
                .map(|i| {
                    let named = sys::mlirOperationGetAttribute(self.0, i);
                    (text(sys::mlirIdentifierStr(named.name)), named.attribute)
                })
                .collect()
        }
    }

    pub fn num_operands(self) -> usize {
        unsafe { sys::mlirOperationGetNumOperands(self.0) as usize }
    }

    /// Operand `index`, if the op has that many.
    pub fn operand(self, index: usize) -> Option<ValueRef> {
        (index < self.num_operands())
            .then(|| ValueRef(unsafe { sys::mlirOperationGetOperand(self.0, index as isize) }))
    }

    pub fn operands(self) -> Vec<ValueRef> {
        (0..self.num_operands())
            .filter_map(|i| self.operand(i))
            .collect()
    }

    /// Replaces operand `index`; false when the op has no such operand.
    pub fn set_operand(self, index: usize, value: ValueRef) -> bool {
        let ok = index < self.num_operands();
        if ok {
            unsafe { sys::mlirOperationSetOperand(self.0, index as isize, value.0) }
        }
        ok
    }

    pub fn num_results(self) -> usize {
        unsafe { sys::mlirOperationGetNumResults(self.0) as usize }
    }

    /// Result `index`, if the op has that many.
    pub fn result(self, index: usize) -> Option<ValueRef> {
        (index < self.num_results())
            .then(|| ValueRef(unsafe { sys::mlirOperationGetResult(self.0, index as isize) }))
    }

    pub fn results(self) -> Vec<ValueRef> {
        (0..self.num_results())
            .filter_map(|i| self.result(i))
            .collect()
    }

    /// Whether no result of the op is used.
    pub fn results_unused(self) -> bool {
        self.results().into_iter().all(|r| r.users().is_empty())
    }

    /// The ops defining the op's operands (block arguments have none).
    pub fn producers(self) -> Vec<OpRef> {
        self.operands()
            .into_iter()
            .filter_map(ValueRef::producer)
            .collect()
    }

    /// The op this one is nested in.
    pub fn parent(self) -> Option<OpRef> {
        OpRef::new(unsafe { sys::mlirOperationGetParentOperation(self.0) })
    }

    /// The block holding the op.
    pub fn block(self) -> Option<BlockRef> {
        BlockRef::new(unsafe { sys::mlirOperationGetBlock(self.0) })
    }

    /// The next op in the op's block.
    pub fn next(self) -> Option<OpRef> {
        OpRef::new(unsafe { sys::mlirOperationGetNextInBlock(self.0) })
    }

    pub fn num_regions(self) -> usize {
        unsafe { sys::mlirOperationGetNumRegions(self.0) as usize }
    }

    /// The blocks of the op's regions (not nested deeper), in order.
    pub fn blocks(self) -> Vec<BlockRef> {
        let mut blocks = Vec::new();
        for r in 0..self.num_regions() {
            unsafe {
                let region = sys::mlirOperationGetRegion(self.0, r as isize);
                let mut block = sys::mlirRegionGetFirstBlock(region);
                while !block.ptr.is_null() {
                    blocks.push(BlockRef(block));
                    block = sys::mlirBlockGetNextInRegion(block);
                }
            }
        }
        blocks
    }

    /// Every block nested anywhere under the op, outermost first.
    pub fn nested_blocks(self) -> Vec<BlockRef> {
        let mut blocks = Vec::new();
        let mut pending = vec![self];
        while let Some(op) = pending.pop() {
            for block in op.blocks() {
                blocks.push(block);
                pending.extend(block.ops());
            }
        }
        blocks
    }

    /// A snapshot of every op nested anywhere under the op (not the op
    /// itself), block by block, outermost blocks first.
    pub fn nested_ops(self) -> Vec<OpRef> {
        self.nested_blocks()
            .into_iter()
            .flat_map(BlockRef::ops)
            .collect()
    }

    /// A snapshot of every op nested under the op in pre-order (an op before
    /// the ops of its regions), the order MLIR's pre-order walk visits.
    pub fn preorder(self) -> Vec<OpRef> {
        fn visit(op: OpRef, out: &mut Vec<OpRef>) {
            for block in op.blocks() {
                for inner in block.ops() {
                    out.push(inner);
                    visit(inner, out);
                }
            }
        }
        let mut out = Vec::new();
        visit(self, &mut out);
        out
    }

    /// A copy of the op (and everything nested in it), not inserted anywhere.
    pub fn deep_clone(self) -> OpRef {
        OpRef(unsafe { sys::mlirOperationClone(self.0) })
    }

    /// The nearest enclosing op named `name`.
    pub fn ancestor(self, name: &str) -> Option<OpRef> {
        let mut parent = self.parent();
        while let Some(p) = parent {
            if p.is(name) {
                return Some(p);
            }
            parent = p.parent();
        }
        None
    }

    /// `(inputs, results)` of a function's `function_type`.
    pub fn function_signature(self) -> Option<(Vec<TypeRef>, Vec<TypeRef>)> {
        self.attribute("function_type")
            .and_then(AttrRef::as_type)
            .and_then(TypeRef::new)
            .and_then(TypeRef::function_types)
    }

    /// Sets a function's `function_type` to `(inputs) -> (results)`.
    pub fn set_function_signature(self, inputs: &[TypeRef], results: &[TypeRef]) {
        let ty = TypeRef::function(self.context(), inputs, results);
        self.set_attr("function_type", AttrRef::of_type(ty).raw());
    }

    /// The first block of region 0 (a function's body).
    pub fn body(self) -> Option<BlockRef> {
        if self.num_regions() == 0 {
            return None;
        }
        BlockRef::new(unsafe {
            sys::mlirRegionGetFirstBlock(sys::mlirOperationGetRegion(self.0, 0))
        })
    }

    /// Moves this op (already in a block) to just after `other`.
    pub fn move_after(self, other: OpRef) {
        unsafe { sys::mlirOperationMoveAfter(self.0, other.0) }
    }

    /// Moves this op (from wherever it is) to just before `other`.
    pub fn move_before(self, other: OpRef) {
        unsafe { sys::mlirOperationMoveBefore(self.0, other.0) }
    }

    /// Inserts `op` (created, not yet in a block) just before this op; false
    /// when this op is in no block.
    pub fn insert_before(self, op: OpRef) -> bool {
        let Some(block) = self.block() else {
            return false;
        };
        unsafe { sys::mlirBlockInsertOwnedOperationBefore(block.0, self.0, op.0) };
        true
    }

    /// Parses one op from `text` (its own source buffer named `source`, for
    /// diagnostics); `None` (and MLIR's diagnostic) when it does not parse.
    pub fn parse(context: sys::MlirContext, text: &str, source: &str) -> Option<OpRef> {
        OpRef::new(unsafe {
            sys::mlirOperationCreateParse(context, string_ref(text), string_ref(source))
        })
    }

    /// Replaces operands with `values`, as many as given.
    pub fn set_operands(self, values: &[ValueRef]) {
        let raw: Vec<sys::MlirValue> = values.iter().map(|v| v.0).collect();
        unsafe { sys::mlirOperationSetOperands(self.0, raw.len() as isize, raw.as_ptr()) }
    }

    /// Inside this symbol table (a module), renames every use of symbol
    /// `old` to `new`; false when MLIR could not.
    pub fn replace_symbol_uses(self, old: &str, new: &str) -> bool {
        let result = unsafe {
            sys::mlirSymbolTableReplaceAllSymbolUses(string_ref(old), string_ref(new), self.0)
        };
        result.value != 0
    }

    /// Erases the op from its block and destroys it. Its results must have
    /// no uses left.
    pub fn erase(self) {
        unsafe { sys::mlirOperationDestroy(self.0) }
    }
}

impl ValueRef {
    /// The handle of `value`; `None` for a null handle.
    pub fn new(value: sys::MlirValue) -> Option<ValueRef> {
        (!value.ptr.is_null()).then_some(ValueRef(value))
    }

    pub fn raw(self) -> sys::MlirValue {
        self.0
    }

    pub fn ty(self) -> sys::MlirType {
        unsafe { sys::mlirValueGetType(self.0) }
    }

    /// The op whose result this is; `None` for a block argument.
    pub fn producer(self) -> Option<OpRef> {
        unsafe {
            sys::mlirValueIsAOpResult(self.0)
                .then(|| OpRef::new(sys::mlirOpResultGetOwner(self.0)))
                .flatten()
        }
    }

    /// The argument number, for a block argument.
    pub fn argument_number(self) -> Option<usize> {
        unsafe {
            sys::mlirValueIsABlockArgument(self.0)
                .then(|| sys::mlirBlockArgumentGetArgNumber(self.0) as usize)
        }
    }

    /// The ops using the value, once per use.
    pub fn users(self) -> Vec<OpRef> {
        let mut users = Vec::new();
        unsafe {
            let mut used = sys::mlirValueGetFirstUse(self.0);
            while !sys::mlirOpOperandIsNull(used) {
                users.extend(OpRef::new(sys::mlirOpOperandGetOwner(used)));
                used = sys::mlirOpOperandGetNextUse(used);
            }
        }
        users
    }

    /// The op using the value, if it has exactly one use.
    pub fn single_user(self) -> Option<OpRef> {
        match self.users().as_slice() {
            [user] => Some(*user),
            _ => None,
        }
    }

    /// The op using the value and the operand number it uses it as, if the
    /// value has exactly one use.
    pub fn single_use(self) -> Option<(OpRef, usize)> {
        unsafe {
            let first = sys::mlirValueGetFirstUse(self.0);
            if sys::mlirOpOperandIsNull(first)
                || !sys::mlirOpOperandIsNull(sys::mlirOpOperandGetNextUse(first))
            {
                return None;
            }
            let user = OpRef::new(sys::mlirOpOperandGetOwner(first))?;
            Some((user, sys::mlirOpOperandGetOperandNumber(first) as usize))
        }
    }

    pub fn location(self) -> sys::MlirLocation {
        unsafe { sys::mlirValueGetLocation(self.0) }
    }

    /// Makes every use of the value use `other` instead, except the uses by
    /// the ops of `except`.
    pub fn replace_all_uses_except(self, other: ValueRef, except: &[OpRef]) {
        let mut raw: Vec<sys::MlirOperation> = except.iter().map(|op| op.0).collect();
        unsafe {
            sys::mlirValueReplaceAllUsesExcept(
                self.0,
                other.0,
                raw.len() as isize,
                raw.as_mut_ptr(),
            )
        }
    }

    /// Changes the value's type (a block argument's, when a pass retypes a
    /// function).
    pub fn set_type(self, ty: TypeRef) {
        unsafe { sys::mlirValueSetType(self.0, ty.0) }
    }

    /// Makes every use of the value use `other` instead.
    pub fn replace_all_uses_with(self, other: ValueRef) {
        unsafe { sys::mlirValueReplaceAllUsesOfWith(self.0, other.0) }
    }
}

impl BlockRef {
    pub fn new(block: sys::MlirBlock) -> Option<BlockRef> {
        (!block.ptr.is_null()).then_some(BlockRef(block))
    }

    pub fn raw(self) -> sys::MlirBlock {
        self.0
    }

    /// A snapshot of the block's ops, in order.
    pub fn ops(self) -> Vec<OpRef> {
        let mut ops = Vec::new();
        unsafe {
            let mut op = sys::mlirBlockGetFirstOperation(self.0);
            while let Some(o) = OpRef::new(op) {
                ops.push(o);
                op = sys::mlirOperationGetNextInBlock(op);
            }
        }
        ops
    }

    /// Appends `op` (created, not yet in a block) at the end of the block.
    pub fn append(self, op: OpRef) {
        unsafe { sys::mlirBlockAppendOwnedOperation(self.0, op.0) }
    }

    /// The block's first op.
    pub fn first(self) -> Option<OpRef> {
        OpRef::new(unsafe { sys::mlirBlockGetFirstOperation(self.0) })
    }

    /// Argument `index`, if the block has that many.
    pub fn argument(self, index: usize) -> Option<ValueRef> {
        self.arguments().get(index).copied()
    }

    /// Appends an argument of type `ty` located at `location`.
    pub fn add_argument(self, ty: TypeRef, location: sys::MlirLocation) -> ValueRef {
        unsafe { ValueRef(sys::mlirBlockAddArgument(self.0, ty.raw(), location)) }
    }

    /// The block's arguments.
    pub fn arguments(self) -> Vec<ValueRef> {
        unsafe {
            (0..sys::mlirBlockGetNumArguments(self.0))
                .map(|i| ValueRef(sys::mlirBlockGetArgument(self.0, i)))
                .collect()
        }
    }
}
