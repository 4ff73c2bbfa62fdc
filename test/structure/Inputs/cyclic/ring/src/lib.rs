mod emit;
mod ir;
mod leaf;
