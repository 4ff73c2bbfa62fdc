use crate::ir::walk;
use crate::leaf::Handle;

pub fn build(h: Handle) {
    walk(h);
}
