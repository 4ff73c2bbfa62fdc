use crate::leaf::Handle;

pub fn walk(h: Handle) {
    crate::emit::build(h);
}
